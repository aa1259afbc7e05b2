BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-ModuleManifestPath) -Force
    Initialize-StandinImage
    $store = Enter-TestStore
    $standin = Get-StandinDriverOption
}

AfterAll { Exit-TestStore }

Describe 'Stop-BuildxBuilder' {
    It 'stops the container and keeps it, so the status is stopped' {
        $name = New-TestName
        $null = New-BuildxBuilder -Name $name -DriverOption $standin -Bootstrap
        (Get-EngineContainer "buildx_buildkit_${name}0").State.Running | Should -BeTrue

        $builder = Stop-BuildxBuilder -Name $name -PassThru
        $builder.Nodes[0].Status | Should -Be 'Stopped'
        $container = Get-EngineContainer "buildx_buildkit_${name}0"
        $container | Should -Not -BeNullOrEmpty
        $container.State.Running | Should -BeFalse
        Get-EngineVolume "buildx_buildkit_${name}0_state" | Should -Not -BeNullOrEmpty
    }

    It 'stops several builders by wildcard, from the pipeline too, and a stopped one again' {
        $prefix = New-TestName -Prefix 'stop'
        $null = New-BuildxBuilder -Name "${prefix}a" -DriverOption $standin -Bootstrap
        $null = New-BuildxBuilder -Name "${prefix}b" -DriverOption $standin -Bootstrap
        Stop-BuildxBuilder -Name "$prefix*"
        (Get-EngineContainer "buildx_buildkit_${prefix}a0").State.Running | Should -BeFalse
        (Get-EngineContainer "buildx_buildkit_${prefix}b0").State.Running | Should -BeFalse
        Get-BuildxBuilder -Name "${prefix}a" | Stop-BuildxBuilder -PassThru | ForEach-Object { $_.Nodes[0].Status } | Should -Be 'Stopped'
    }

    It 'does nothing for a builder that was never started, or for the engine''s own builder' {
        $name = New-TestName
        $null = New-BuildxBuilder -Name $name -DriverOption $standin
        Stop-BuildxBuilder -Name $name -ErrorAction Stop
        Get-EngineContainer "buildx_buildkit_${name}0" | Should -BeNullOrEmpty
        (Stop-BuildxBuilder -Name default -PassThru -ErrorAction Stop).Nodes[0].Status | Should -Be 'Running'
    }

    It 'leaves the container running with -WhatIf' {
        $name = New-TestName
        $null = New-BuildxBuilder -Name $name -DriverOption $standin -Bootstrap
        Stop-BuildxBuilder -Name $name -WhatIf
        (Get-EngineContainer "buildx_buildkit_${name}0").State.Running | Should -BeTrue
    }
}
