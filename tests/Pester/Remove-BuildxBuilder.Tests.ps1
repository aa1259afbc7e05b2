BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-ModuleManifestPath) -Force
    Initialize-StandinImage
    $store = Enter-TestStore
    $standin = Get-StandinDriverOption
}

AfterAll { Exit-TestStore }

Describe 'Remove-BuildxBuilder' {
    It 'removes the store entry, the container and its state volume' {
        $name = New-TestName
        $null = New-BuildxBuilder -Name $name -DriverOption $standin -Bootstrap
        Get-EngineVolume "buildx_buildkit_${name}0_state" | Should -Not -BeNullOrEmpty

        Remove-BuildxBuilder -Name $name -Force -ErrorAction Stop

        Test-Path (Join-Path $store "instances/$name") | Should -BeFalse
        Test-Path (Join-Path $store "activity/$name") | Should -BeFalse
        Get-EngineContainer "buildx_buildkit_${name}0" | Should -BeNullOrEmpty
        Get-EngineVolume "buildx_buildkit_${name}0_state" | Should -BeNullOrEmpty
        Get-BuildxBuilder -Name $name -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
    }

    It 'keeps the state volume with -KeepState, for the next builder of that node name' {
        $name = New-TestName
        $null = New-BuildxBuilder -Name $name -DriverOption $standin -Bootstrap
        Remove-BuildxBuilder -Name $name -KeepState -Force

        Get-EngineContainer "buildx_buildkit_${name}0" | Should -BeNullOrEmpty
        Get-EngineVolume "buildx_buildkit_${name}0_state" | Should -Not -BeNullOrEmpty
        $again = New-BuildxBuilder -Name $name -DriverOption $standin -Bootstrap
        $again.Nodes[0].Status | Should -Be 'Running'
        ((Get-EngineContainer "buildx_buildkit_${name}0").Mounts | Where-Object Type -eq 'volume').Name | Should -Be "buildx_buildkit_${name}0_state"
    }

    It 'leaves the daemon running with -KeepDaemon' {
        $name = New-TestName
        $null = New-BuildxBuilder -Name $name -DriverOption $standin -Bootstrap
        Remove-BuildxBuilder -Name $name -KeepDaemon -Force
        Test-Path (Join-Path $store "instances/$name") | Should -BeFalse
        (Get-EngineContainer "buildx_buildkit_${name}0").State.Running | Should -BeTrue
        Remove-StandinNode "${name}0"
    }

    It 'takes builder objects from the pipeline and wildcards' {
        $prefix = New-TestName -Prefix 'rm'
        $null = New-BuildxBuilder -Name "${prefix}a" -DriverOption $standin
        $null = New-BuildxBuilder -Name "${prefix}b" -DriverOption $standin
        $null = New-BuildxBuilder -Name "${prefix}c" -DriverOption $standin
        Get-BuildxBuilder -Name "${prefix}a" | Remove-BuildxBuilder -Force
        Remove-BuildxBuilder -Name "$prefix*" -Force
        Get-ChildItem (Join-Path $store 'instances') -Filter "$prefix*" | Should -BeNullOrEmpty
    }

    It 'refuses the Docker context''s builder and writes BuilderNotFound for unknown names' {
        { Remove-BuildxBuilder -Name default -Force -ErrorAction Stop } | Should -Throw -ErrorId 'ContextBuilderNotRemovable,Buildx.PowerShell.Cmdlets.RemoveBuildxBuilderCommand'
        Remove-BuildxBuilder -Name 'no-such-builder' -Force -ErrorVariable problems -ErrorAction SilentlyContinue
        $problems[0].FullyQualifiedErrorId | Should -Be 'BuilderNotFound,Buildx.PowerShell.Cmdlets.RemoveBuildxBuilderCommand'
        $problems[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        # A pattern passes over the context builders.
        Remove-BuildxBuilder -Name 'def*' -Force -ErrorAction Stop
        (Get-BuildxBuilder -Name default).Name | Should -Be 'default'
    }

    It 'declares a High confirm impact' {
        (Get-Command Remove-BuildxBuilder).ImplementingType.GetCustomAttributes([System.Management.Automation.CmdletAttribute], $false).ConfirmImpact | Should -Be 'High'
    }

    It 'says exactly what it would delete with -WhatIf, and deletes nothing' {
        $name = New-TestName
        $null = New-BuildxBuilder -Name $name -DriverOption $standin -Bootstrap
        $script = "Import-Module '$(Get-ModuleManifestPath)'; Remove-BuildxBuilder -Name $name -WhatIf; Remove-BuildxBuilder -Name $name -KeepState -WhatIf"
        $output = (Invoke-ChildPwsh -NoProfile -NonInteractive -Command $script) -join "`n"

        $output | Should -Match ([regex]::Escape("What if: Remove builder '$name' (driver docker-container):"))
        $output | Should -Match ([regex]::Escape("store entries $(Join-Path $store "instances/$name"), $(Join-Path $store "activity/$name"), $(Join-Path $store "refs/$name")"))
        $output | Should -Match ([regex]::Escape("stop and remove container buildx_buildkit_${name}0; remove volume buildx_buildkit_${name}0_state"))
        $output | Should -Match ([regex]::Escape("stop and remove container buildx_buildkit_${name}0; keep volume buildx_buildkit_${name}0_state"))
        Test-Path (Join-Path $store "instances/$name") | Should -BeTrue
        (Get-EngineContainer "buildx_buildkit_${name}0").State.Running | Should -BeTrue
    }
}

Describe 'Remove-BuildxBuilder on a store buildx wrote' {
    BeforeAll {
        $fixtureStore = Join-Path $TestDrive 'buildx'
        Copy-Item (Join-Path (Get-RepositoryRoot) 'tests/Buildx.Core.Tests/Store/Fixtures/buildx-store') $fixtureStore -Recurse
        $env:BUILDX_CONFIG = $fixtureStore
    }

    AfterAll { $env:BUILDX_CONFIG = $store }

    It 'removes buildx''s builders, warning about nodes no driver can use' {
        Remove-BuildxBuilder -Name unicode -Force -WarningVariable warnings -WarningAction SilentlyContinue -ErrorAction Stop
        $warnings | Should -Match 'unicode0'
        Test-Path (Join-Path $fixtureStore 'instances/unicode') | Should -BeFalse

        Remove-BuildxBuilder -Name empty -Force -ErrorAction Stop
        Test-Path (Join-Path $fixtureStore 'instances/empty') | Should -BeFalse

        # mybuilder's current/defaults entries stay valid JSON and name it.
        Remove-BuildxBuilder -Name MyBuilder -KeepDaemon -Force -WarningAction SilentlyContinue -ErrorAction Stop
        Test-Path (Join-Path $fixtureStore 'instances/mybuilder') | Should -BeFalse
        Test-Path (Join-Path $fixtureStore 'activity/mybuilder') | Should -BeFalse
        # The defaults entry naming it (filed for the desktop-linux context) goes too.
        Get-ChildItem (Join-Path $fixtureStore 'defaults') | Should -BeNullOrEmpty
        (Get-BuildxBuilder).Name | Should -Be 'default'
    }
}
