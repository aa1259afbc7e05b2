BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-ModuleManifestPath) -Force
    Initialize-StandinImage
    $store = Enter-TestStore
    $standin = Get-StandinDriverOption
    # The same engine under a second spelling: a node's endpoint must differ from its siblings'.
    $otherEndpoint = "unix://$((Get-EngineSocket) -replace '^/var/run/', '/run/')"

    function Read-StoredBuilder {
        param([string] $Name)
        Get-Content (Join-Path $store "instances/$Name") -Raw | ConvertFrom-Json -AsHashtable
    }
}

AfterAll { Exit-TestStore }

Describe 'Add-BuildxBuilderNode' {
    It 'appends the next numbered node with its own endpoint, options and platforms' {
        $name = New-TestName
        $null = New-BuildxBuilder -Name $name -DriverOption $standin -Platform linux/amd64
        $builder = Add-BuildxBuilderNode -Name $name -Endpoint $otherEndpoint -DriverOption $standin, 'env.ROLE=arm' -Platform linux/arm64, linux/amd64 -PassThru

        $builder.Nodes.Name | Should -Be @("${name}0", "${name}1")
        $stored = Read-StoredBuilder $name
        $stored.Nodes[1].Endpoint | Should -Be $otherEndpoint
        $stored.Nodes[1].DriverOpts.'env.ROLE' | Should -Be 'arm'
        $stored.Nodes[1].Flags | Should -Be @('--allow-insecure-entitlement=network.host')
        # As buildx: platforms pinned on the new node leave the other nodes.
        $stored.Nodes[0].Platforms | Should -BeNullOrEmpty
        @($stored.Nodes[1].Platforms).Count | Should -Be 2
    }

    It 'names the node with -Node, takes the builder from the pipeline, and starts it with -Bootstrap' {
        $name = New-TestName
        $null = New-BuildxBuilder -Name $name -DriverOption $standin
        $builder = Get-BuildxBuilder -Name $name | Add-BuildxBuilderNode -Node "${name}x" -Endpoint $otherEndpoint -DriverOption $standin -Bootstrap -PassThru
        ($builder.Nodes | Where-Object Name -eq "${name}x").Status | Should -Be 'Running'
        (Get-EngineContainer "buildx_buildkit_${name}x").State.Running | Should -BeTrue
    }

    It 'refuses a duplicate endpoint, an unknown builder and bad options, changing nothing' {
        $name = New-TestName
        $null = New-BuildxBuilder -Name $name -DriverOption $standin
        $before = Get-Content (Join-Path $store "instances/$name") -Raw
        { Add-BuildxBuilderNode -Name $name -DriverOption $standin } | Should -Throw -ErrorId 'DuplicateEndpoint,Buildx.PowerShell.Cmdlets.AddBuildxBuilderNodeCommand'
        { Add-BuildxBuilderNode -Name $name -Endpoint $otherEndpoint -DriverOption @{ cpu_shares = 2 } } | Should -Throw -ErrorId 'UnknownDriverOption,Buildx.PowerShell.Cmdlets.AddBuildxBuilderNodeCommand' -ExpectedMessage "*Did you mean 'cpu-shares'*"
        { Add-BuildxBuilderNode -Name 'no-such-builder' } | Should -Throw -ErrorId 'BuilderNotFound,Buildx.PowerShell.Cmdlets.AddBuildxBuilderNodeCommand'
        { Add-BuildxBuilderNode -Name $name -Endpoint 'ssh://somewhere' } | Should -Throw -ErrorId 'UnsupportedDockerHostScheme,Buildx.PowerShell.Cmdlets.AddBuildxBuilderNodeCommand'
        Get-Content (Join-Path $store "instances/$name") -Raw | Should -Be $before
    }

    It 'adds nothing with -WhatIf' {
        $name = New-TestName
        $null = New-BuildxBuilder -Name $name -DriverOption $standin
        Add-BuildxBuilderNode -Name $name -Endpoint $otherEndpoint -WhatIf
        (Read-StoredBuilder $name).Nodes.Count | Should -Be 1
    }
}
