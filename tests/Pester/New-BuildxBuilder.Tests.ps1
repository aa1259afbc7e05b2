BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-ModuleManifestPath) -Force
    Initialize-StandinImage
    $store = Enter-TestStore
    $standin = Get-StandinDriverOption
    $engineKey = "unix://$(Get-EngineSocket)"

    function Read-StoredBuilder {
        param([string] $Name)
        Get-Content (Join-Path $store "instances/$($Name.ToLowerInvariant())") -Raw | ConvertFrom-Json -AsHashtable
    }
}

AfterAll { Exit-TestStore }

Describe 'New-BuildxBuilder' {
    It 'writes a docker-container builder in buildx''s format and returns it' {
        $name = New-TestName
        $builder = New-BuildxBuilder -Name $name -DriverOption $standin -ErrorAction Stop

        $builder.GetType().FullName | Should -Be 'Buildx.Core.Builders.Builder'
        $builder.Name | Should -Be $name
        $builder.Driver | Should -Be 'docker-container'
        $builder.Nodes[0].Name | Should -Be "${name}0"
        $builder.Nodes[0].Status | Should -Be 'Inactive'
        $builder.LastActivity | Should -Not -BeNullOrEmpty

        $raw = Get-Content (Join-Path $store "instances/$name") -Raw
        $raw | Should -BeLike "{`"Name`":`"$name`",`"Driver`":`"docker-container`",`"Nodes`":*,`"Dynamic`":false}"
        $stored = $raw | ConvertFrom-Json -AsHashtable
        $node = $stored.Nodes[0]
        $node.Endpoint | Should -Be $engineKey
        $node.Flags | Should -Be @('--allow-insecure-entitlement=network.host')
        $node.DriverOpts.image | Should -Be 'buildx-test/buildkit-standin:latest'
        $node.DriverOpts.privileged | Should -Be 'false'
        $node.Platforms | Should -BeNullOrEmpty
        Test-Path (Join-Path $store "activity/$name") | Should -BeTrue
    }

    It 'picks a random name like buildx when none is given' {
        $builder = New-BuildxBuilder -DriverOption $standin
        $builder.Name | Should -Match '^[a-z]+_[a-z]+\d?$'
        Test-Path (Join-Path $store "instances/$($builder.Name)") | Should -BeTrue
    }

    It 'stores typed hashtable values and buildx CSV strings as buildx stores them' {
        $name = New-TestName
        $null = New-BuildxBuilder -Name $name -DriverOption @{
            Image          = 'buildx-test/buildkit-standin:latest'
            memory         = 1GB
            'default-load' = $true
            env            = @{ FOO = 'bar' }
        }, 'env.BAZ=qux,cpu-shares=512', 'privileged=false' -Platform 'linux/amd64,linux/arm64' -BuildkitdFlag '--debug --oci-worker-gc=false'

        $node = (Read-StoredBuilder $name).Nodes[0]
        $node.DriverOpts.Keys | Sort-Object | Should -Be @('cpu-shares', 'default-load', 'env.BAZ', 'env.FOO', 'image', 'memory', 'privileged')
        $node.DriverOpts.memory | Should -Be '1073741824'
        $node.DriverOpts.'default-load' | Should -Be 'true'
        $node.DriverOpts.'env.FOO' | Should -Be 'bar'
        $node.DriverOpts.'env.BAZ' | Should -Be 'qux'
        $node.Flags | Should -Be @('--debug', '--oci-worker-gc=false', '--allow-insecure-entitlement=network.host')
        $node.Platforms | ForEach-Object { "$($_.os)/$($_.architecture)" } | Should -Be @('linux/amd64', 'linux/arm64')
    }

    It 'keeps the user''s entitlement flags and stores a buildkitd config' {
        $name = New-TestName
        $config = Join-Path $TestDrive 'buildkitd.toml'
        Set-Content $config "debug = true`n" -NoNewline
        $null = New-BuildxBuilder -Name $name -DriverOption $standin -BuildkitdFlag '--allow-insecure-entitlement=security.insecure' -BuildkitdConfig $config

        $node = (Read-StoredBuilder $name).Nodes[0]
        $node.Flags | Should -Be @('--allow-insecure-entitlement=security.insecure')
        [Text.Encoding]::UTF8.GetString([Convert]::FromBase64String($node.Files.'buildkitd.toml')) | Should -Be "debug = true`n"
    }

    It 'makes the builder current with -Use' {
        $name = New-TestName
        $builder = New-BuildxBuilder -Name $name -DriverOption $standin -Use
        $builder.IsCurrent | Should -BeTrue
        $current = Get-Content (Join-Path $store 'current') -Raw | ConvertFrom-Json
        $current.Key | Should -Be $engineKey
        $current.Name | Should -Be $name
        $current.Global | Should -BeFalse
        (Get-BuildxBuilder | Where-Object IsCurrent).Name | Should -Be $name
        Use-BuildxBuilder default
    }

    It 'changes an existing node with -Node and warns that a restart applies it' {
        $name = New-TestName
        $null = New-BuildxBuilder -Name $name -DriverOption $standin
        $null = New-BuildxBuilder -Name $name -Node "${name}0" -DriverOption $standin, 'env.LEVEL=2' -WarningVariable warnings -WarningAction SilentlyContinue
        $warnings | Should -Match 'restarted'
        (Read-StoredBuilder $name).Nodes[0].DriverOpts.'env.LEVEL' | Should -Be '2'
    }

    It 'starts the builder with -Bootstrap' {
        $name = New-TestName
        $builder = New-BuildxBuilder -Name $name -DriverOption $standin -Bootstrap -ErrorAction Stop
        $builder.Nodes[0].Status | Should -Be 'Running'
        $container = Get-EngineContainer "buildx_buildkit_${name}0"
        $container.State.Running | Should -BeTrue
        $container.Config.Image | Should -Be 'buildx-test/buildkit-standin:latest'
        $container.HostConfig.Privileged | Should -BeFalse
        ($container.Mounts | Where-Object Type -eq 'volume').Name | Should -Be "buildx_buildkit_${name}0_state"
    }

    It 'rolls everything back when -Bootstrap fails' {
        $name = New-TestName
        $image = "buildx-test/absent-$(New-TestName):v1"
        { New-BuildxBuilder -Name $name -DriverOption @{ image = $image; privileged = $false } -Bootstrap -Use } |
            Should -Throw -ErrorId 'BuildkitImageUnavailable,Buildx.PowerShell.Cmdlets.NewBuildxBuilderCommand'
        Test-Path (Join-Path $store "instances/$name") | Should -BeFalse
        Get-EngineContainer "buildx_buildkit_${name}0" | Should -BeNullOrEmpty
        Get-EngineVolume "buildx_buildkit_${name}0_state" | Should -BeNullOrEmpty
        (Get-Content (Join-Path $store 'current') -Raw -ErrorAction Ignore) | Should -Not -Match $name
    }

    It 'rolls back when a node cannot be loaded, as buildx does' {
        $name = New-TestName
        $failure = { New-BuildxBuilder -Name $name -Driver docker-container -Endpoint 'unix:///nonexistent/docker.sock' -Timeout 5 } |
            Should -Throw -ErrorId 'BuilderInitializationFailed,Buildx.PowerShell.Cmdlets.NewBuildxBuilderCommand' -PassThru
        $failure.Exception.Message | Should -Match "failed to initialize builder $name \(${name}0\)"
        Test-Path (Join-Path $store "instances/$name") | Should -BeFalse
    }
}

Describe 'New-BuildxBuilder refusals' {
    It 'names an unknown option, lists what is accepted and suggests the closest' {
        $failure = { New-BuildxBuilder -DriverOption @{ memroy = '1g' } } |
            Should -Throw -ErrorId 'UnknownDriverOption,Buildx.PowerShell.Cmdlets.NewBuildxBuilderCommand' -PassThru
        $failure.Exception.Message | Should -Match "'memroy'"
        $failure.Exception.Message | Should -Match "Did you mean 'memory'"
        $failure.Exception.Message | Should -Match 'Accepted options: image, network, memory'
        $failure.CategoryInfo.Category | Should -Be 'InvalidArgument'
        $failure.TargetObject | Should -Be 'memroy'
    }

    It 'names the key and the value of a bad value, in either form' {
        $failure = { New-BuildxBuilder -DriverOption 'memory=lots' } |
            Should -Throw -ErrorId 'InvalidDriverOption,Buildx.PowerShell.Cmdlets.NewBuildxBuilderCommand' -PassThru
        $failure.Exception.Message | Should -Match "'memory' has an invalid value 'lots'"
        { New-BuildxBuilder -DriverOption @{ 'default-load' = 'maybe' } } | Should -Throw -ErrorId 'InvalidDriverOption,Buildx.PowerShell.Cmdlets.NewBuildxBuilderCommand'
        { New-BuildxBuilder -DriverOption 'image' } | Should -Throw -ErrorId 'InvalidDriverOption,Buildx.PowerShell.Cmdlets.NewBuildxBuilderCommand' -ExpectedMessage '*expecting k=v*'
        { New-BuildxBuilder -DriverOption @{ env = @{ '' = 'x' } } } | Should -Throw -ErrorId 'InvalidDriverOption,Buildx.PowerShell.Cmdlets.NewBuildxBuilderCommand'
    }

    It 'checks remote driver options before storing anything' {
        $name = New-TestName
        $failure = { New-BuildxBuilder -Name $name -Driver remote -Endpoint 'tcp://127.0.0.1:1234' -DriverOption @{ cacert = 'ca.pem' } } |
            Should -Throw -ErrorId 'InvalidDriverOption,Buildx.PowerShell.Cmdlets.NewBuildxBuilderCommand' -PassThru
        $failure.Exception.Message | Should -Match 'not an absolute path'
        Test-Path (Join-Path $store "instances/$name") | Should -BeFalse
    }

    It 'refuses what buildx refuses, with stable ids' {
        { New-BuildxBuilder -Driver docker } | Should -Throw -ErrorId 'DriverDoesNotAllowInstances,Buildx.PowerShell.Cmdlets.NewBuildxBuilderCommand'
        { New-BuildxBuilder -Driver dockr-container } | Should -Throw -ErrorId 'UnknownDriver,Buildx.PowerShell.Cmdlets.NewBuildxBuilderCommand' -ExpectedMessage "*Did you mean 'docker-container'*"
        { New-BuildxBuilder -Name default } | Should -Throw -ErrorId 'ReservedBuilderName,Buildx.PowerShell.Cmdlets.NewBuildxBuilderCommand'
        { New-BuildxBuilder -Name '1bad' } | Should -Throw -ErrorId 'InvalidBuilderName,Buildx.PowerShell.Cmdlets.NewBuildxBuilderCommand'
        { New-BuildxBuilder -Platform 'linux/*' } | Should -Throw -ErrorId 'InvalidPlatform,Buildx.PowerShell.Cmdlets.NewBuildxBuilderCommand'
        { New-BuildxBuilder -BuildkitdConfig (Join-Path $TestDrive 'absent.toml') } | Should -Throw -ErrorId 'BuildkitdConfigNotFound,Buildx.PowerShell.Cmdlets.NewBuildxBuilderCommand'
        $name = New-TestName
        $null = New-BuildxBuilder -Name $name -DriverOption $standin
        { New-BuildxBuilder -Name $name -DriverOption $standin } | Should -Throw -ErrorId 'BuilderExists,Buildx.PowerShell.Cmdlets.NewBuildxBuilderCommand'
        { New-BuildxBuilder -Name $name -Node other } | Should -Throw -ErrorId 'NodeNotFound,Buildx.PowerShell.Cmdlets.NewBuildxBuilderCommand'
    }
}

Describe 'New-BuildxBuilder -WhatIf' {
    It 'says exactly what it would create, and creates nothing' {
        $name = New-TestName
        $script = "Import-Module '$(Get-ModuleManifestPath)'; New-BuildxBuilder -Name $name -DriverOption @{ image = 'moby/buildkit:v0.17.0'; memory = '1g' } -Use -WhatIf"
        $output = (Invoke-ChildPwsh -NoProfile -NonInteractive -Command $script) -join "`n"

        $output | Should -Match ([regex]::Escape("What if: Create builder '$name' (driver docker-container) in the store entry $(Join-Path $store "instances/$name")"))
        $output | Should -Match ([regex]::Escape("node ${name}0: endpoint $engineKey"))
        $output | Should -Match ([regex]::Escape("container buildx_buildkit_${name}0 (image moby/buildkit:v0.17.0), state volume buildx_buildkit_${name}0_state"))
        $output | Should -Match ([regex]::Escape('driver options: image=moby/buildkit:v0.17.0, memory=1g'))
        $output | Should -Match ([regex]::Escape('buildkitd flags: --allow-insecure-entitlement=network.host'))
        $output | Should -Match ([regex]::Escape("then make it the current builder for $engineKey"))
        Test-Path (Join-Path $store "instances/$name") | Should -BeFalse
    }
}

Describe 'New-BuildxBuilder in parallel' {
    It 'leaves 16 intact entries and an intact current after 16 parallel calls' {
        $before = @(Get-ChildItem (Join-Path $store 'instances')).Count
        $prefix = New-TestName -Prefix 'par'
        $manifest = Get-ModuleManifestPath
        $options = $standin
        $created = 1..16 | ForEach-Object -ThrottleLimit 16 -Parallel {
            Import-Module $using:manifest
            New-BuildxBuilder -Name "$($using:prefix)n$_" -DriverOption $using:options -Use -ErrorAction Stop
        }

        $created.Count | Should -Be 16
        $entries = Get-ChildItem (Join-Path $store 'instances') -Filter "$prefix*"
        $entries.Count | Should -Be 16
        (Get-ChildItem (Join-Path $store 'instances')).Count | Should -Be ($before + 16)
        foreach ($entry in $entries) {
            $group = Get-Content $entry.FullName -Raw | ConvertFrom-Json
            $group.Name | Should -Be $entry.Name
            $group.Nodes.Count | Should -Be 1
        }
        $current = Get-Content (Join-Path $store 'current') -Raw | ConvertFrom-Json
        $current.Name | Should -BeLike "${prefix}n*"
        $current.Key | Should -Be $engineKey
        Get-ChildItem $store -Recurse -Filter '*.tmp*' | Should -BeNullOrEmpty
        Use-BuildxBuilder default
    }
}
