BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-ModuleManifestPath) -Force
    Initialize-StandinImage
    $store = Enter-TestStore
    $standin = Get-StandinDriverOption
    $otherEndpoint = "unix://$((Get-EngineSocket) -replace '^/var/run/', '/run/')"

    function New-TwoNodeBuilder {
        param([switch] $Bootstrap)
        $name = New-TestName
        $null = New-BuildxBuilder -Name $name -DriverOption $standin
        $null = Add-BuildxBuilderNode -Name $name -Endpoint $otherEndpoint -DriverOption $standin -Bootstrap:$Bootstrap
        $name
    }
}

AfterAll { Exit-TestStore }

Describe 'Remove-BuildxBuilderNode' {
    It 'takes the node out, with its build records, container and state volume' {
        $name = New-TwoNodeBuilder -Bootstrap
        $refs = New-Item -ItemType Directory -Path (Join-Path $store "refs/$name/${name}1") -Force
        Set-Content (Join-Path $refs 'abc') '{"Target":"default","LocalPath":"/src","DockerfilePath":"/src/Dockerfile"}'

        $builder = Remove-BuildxBuilderNode -Name $name -Node "${name}1" -Force -PassThru

        $builder.Nodes.Name | Should -Be @("${name}0")
        (Get-Content (Join-Path $store "instances/$name") -Raw | ConvertFrom-Json).Nodes.Name | Should -Be @("${name}0")
        Test-Path $refs | Should -BeFalse
        Get-EngineContainer "buildx_buildkit_${name}1" | Should -BeNullOrEmpty
        Get-EngineVolume "buildx_buildkit_${name}1_state" | Should -BeNullOrEmpty
    }

    It 'keeps the volume with -KeepState and the whole daemon with -KeepDaemon' {
        $name = New-TwoNodeBuilder -Bootstrap
        Remove-BuildxBuilderNode -Name $name -Node "${name}1" -KeepState -Force
        Get-EngineContainer "buildx_buildkit_${name}1" | Should -BeNullOrEmpty
        Get-EngineVolume "buildx_buildkit_${name}1_state" | Should -Not -BeNullOrEmpty
        Remove-StandinNode "${name}1"

        $name = New-TwoNodeBuilder -Bootstrap
        Get-BuildxBuilder -Name $name | Remove-BuildxBuilderNode -Node "${name}1" -KeepDaemon -Force
        (Get-EngineContainer "buildx_buildkit_${name}1").State.Running | Should -BeTrue
        Remove-StandinNode "${name}1"
    }

    It 'refuses the last node and unknown nodes with stable ids' {
        $name = New-TestName
        $null = New-BuildxBuilder -Name $name -DriverOption $standin
        { Remove-BuildxBuilderNode -Name $name -Node "${name}0" -Force } | Should -Throw -ErrorId 'LastNodeCannotLeave,Buildx.PowerShell.Cmdlets.RemoveBuildxBuilderNodeCommand'
        { Remove-BuildxBuilderNode -Name $name -Node nope -Force } | Should -Throw -ErrorId 'NodeNotFound,Buildx.PowerShell.Cmdlets.RemoveBuildxBuilderNodeCommand'
        { Remove-BuildxBuilderNode -Name default -Node default -Force } | Should -Throw -ErrorId 'ContextBuilderNotRemovable,Buildx.PowerShell.Cmdlets.RemoveBuildxBuilderNodeCommand'
    }

    It 'completes the builder''s node names' {
        $name = New-TwoNodeBuilder
        $line = "Remove-BuildxBuilderNode -Name $name -Node "
        $result = TabExpansion2 -inputScript $line -cursorColumn $line.Length
        $result.CompletionMatches.CompletionText | Should -Be @("${name}0", "${name}1")
    }

    It 'changes nothing with -WhatIf' {
        $name = New-TwoNodeBuilder -Bootstrap
        Remove-BuildxBuilderNode -Name $name -Node "${name}1" -WhatIf
        (Get-Content (Join-Path $store "instances/$name") -Raw | ConvertFrom-Json).Nodes.Count | Should -Be 2
        (Get-EngineContainer "buildx_buildkit_${name}1").State.Running | Should -BeTrue
    }
}
