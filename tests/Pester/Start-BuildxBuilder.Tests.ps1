BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-ModuleManifestPath) -Force
    Initialize-StandinImage
    $store = Enter-TestStore
    $standin = Get-StandinDriverOption
}

AfterAll { Exit-TestStore }

Describe 'Start-BuildxBuilder' {
    It 'creates and starts the container, then reports the node running' {
        $name = New-TestName
        $null = New-BuildxBuilder -Name $name -DriverOption $standin
        Get-EngineContainer "buildx_buildkit_${name}0" | Should -BeNullOrEmpty

        $builder = Start-BuildxBuilder -Name $name -PassThru -Verbose 4>&1 | Tee-Object -Variable all | Where-Object { $_ -isnot [System.Management.Automation.VerboseRecord] }
        $steps = $all | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] } | ForEach-Object Message
        $steps | Should -Contain '[internal] booting buildkit'
        $steps | Should -Contain "creating container buildx_buildkit_${name}0"

        $builder.Nodes[0].Status | Should -Be 'Running'
        $builder.Nodes[0].BuildkitVersion | Should -Be 'v0.0.0-standin'
        $builder.Nodes[0].Platforms | Should -Contain 'linux/amd64'
        $container = Get-EngineContainer "buildx_buildkit_${name}0"
        $container.State.Running | Should -BeTrue
        $container.Config.Cmd | Should -Be @('--allow-insecure-entitlement=network.host')
        Get-EngineVolume "buildx_buildkit_${name}0_state" | Should -Not -BeNullOrEmpty
    }

    It 'starts a stopped builder again, and leaves a running one alone' {
        $name = New-TestName
        $null = New-BuildxBuilder -Name $name -DriverOption $standin -Bootstrap
        $id = (Get-EngineContainer "buildx_buildkit_${name}0").Id
        Stop-BuildxBuilder -Name $name
        (Get-EngineContainer "buildx_buildkit_${name}0").State.Running | Should -BeFalse

        Start-BuildxBuilder -Name $name
        $container = Get-EngineContainer "buildx_buildkit_${name}0"
        $container.State.Running | Should -BeTrue
        $container.Id | Should -Be $id
        Start-BuildxBuilder -Name $name -PassThru | ForEach-Object { $_.Nodes[0].Status } | Should -Be 'Running'
    }

    It 'starts the current builder when none is named, from the pipeline too' {
        $name = New-TestName
        $null = New-BuildxBuilder -Name $name -DriverOption $standin -Use
        try {
            Start-BuildxBuilder
            (Get-EngineContainer "buildx_buildkit_${name}0").State.Running | Should -BeTrue
            Stop-BuildxBuilder
            Get-BuildxBuilder -Name $name | Start-BuildxBuilder -PassThru | ForEach-Object { $_.Nodes[0].Status } | Should -Be 'Running'
        }
        finally {
            Use-BuildxBuilder default
        }
    }

    It 'writes a non-terminating error per builder that fails and goes on' {
        $bad = New-TestName
        $good = New-TestName
        $null = New-BuildxBuilder -Name $bad -DriverOption @{ image = "buildx-test/absent-$(New-TestName):v1"; privileged = $false }
        $null = New-BuildxBuilder -Name $good -DriverOption $standin
        $started = Start-BuildxBuilder -Name $bad, $good -PassThru -ErrorVariable problems -ErrorAction SilentlyContinue
        $problems[0].FullyQualifiedErrorId | Should -Be 'BuildkitImageUnavailable,Buildx.PowerShell.Cmdlets.StartBuildxBuilderCommand'
        $started.Name | Should -Be $good
    }

    It 'gives BootstrapTimeout when starting takes longer than -Timeout' {
        $name = New-TestName
        # The stand-in's BuildKit never answers without the engine socket: the readiness wait outlasts 1 s.
        $null = New-BuildxBuilder -Name $name -DriverOption $standin, 'env.BUILDX_STANDIN_ENGINE_SOCKET=/nonexistent.sock'
        { Start-BuildxBuilder -Name $name -Timeout 1 -ErrorAction Stop } | Should -Throw -ErrorId 'BootstrapTimeout,Buildx.PowerShell.Cmdlets.StartBuildxBuilderCommand'
    }

    It 'bootstraps through Get-BuildxBuilder -Bootstrap' {
        $name = New-TestName
        $null = New-BuildxBuilder -Name $name -DriverOption $standin
        (Get-BuildxBuilder -Name $name).Nodes[0].Status | Should -Be 'Inactive'
        (Get-BuildxBuilder -Name $name -Bootstrap).Nodes[0].Status | Should -Be 'Running'
    }

    It 'does nothing with -WhatIf' {
        $name = New-TestName
        $null = New-BuildxBuilder -Name $name -DriverOption $standin
        Start-BuildxBuilder -Name $name -WhatIf
        Get-EngineContainer "buildx_buildkit_${name}0" | Should -BeNullOrEmpty
    }

    It 'writes BuilderNotFound for an unknown name' {
        Start-BuildxBuilder -Name 'no-such-builder' -ErrorVariable problems -ErrorAction SilentlyContinue
        $problems[0].FullyQualifiedErrorId | Should -Be 'BuilderNotFound,Buildx.PowerShell.Cmdlets.StartBuildxBuilderCommand'
    }
}
