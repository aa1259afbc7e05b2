BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-ModuleManifestPath) -Force
    Initialize-StandinImage
    $store = Enter-TestStore
    $standin = Get-StandinDriverOption

    function New-CacheRecord {
        # A fresh build in the engine's BuildKit; returns its newest cache record.
        Invoke-EngineBuild -Dockerfile "FROM scratch`nCOPY Dockerfile /$([guid]::NewGuid().ToString('N'))`n"
        Get-BuildxDiskUsage -Builder default | Sort-Object LastUsedAt -Descending | Select-Object -First 1
    }
}

AfterAll { Exit-TestStore }

Describe 'Clear-BuildxCache' {
    It 'removes the records the filters match and writes each as an object' {
        $record = New-CacheRecord
        $removed = Clear-BuildxCache -Builder default -Filter "id=$($record.Id)" -All -Force -ErrorAction Stop

        @($removed).Count | Should -Be 1
        $removed.GetType().FullName | Should -Be 'Buildx.Core.BuildKit.DiskUsageRecord'
        $removed.Id | Should -Be $record.Id
        $removed.Builder | Should -Be 'default'
        $removed.Node | Should -Be 'default'
        Get-BuildxDiskUsage -Builder default | Where-Object Id -eq $record.Id | Should -BeNullOrEmpty
    }

    It 'prunes through a docker-container builder taken from the pipeline' {
        $record = New-CacheRecord
        $name = New-TestName
        $null = New-BuildxBuilder -Name $name -DriverOption $standin -Bootstrap
        # The stand-in relays to the engine's BuildKit, so it sees the same records.
        $removed = Get-BuildxBuilder -Name $name | Clear-BuildxCache -Filter "id==$($record.Id)" -All -Force
        $removed.Id | Should -Be $record.Id
        $removed.Builder | Should -Be $name
    }

    It 'removes nothing with -WhatIf or when nothing matches' {
        $record = New-CacheRecord
        Clear-BuildxCache -Builder default -Filter "id=$($record.Id)" -All -WhatIf | Should -BeNullOrEmpty
        Clear-BuildxCache -Builder default -Filter 'id=no-such-record' -Force | Should -BeNullOrEmpty
        Get-BuildxDiskUsage -Builder default | Where-Object Id -eq $record.Id | Should -Not -BeNullOrEmpty
    }

    It 'refuses free-space limits the daemon''s BuildKit would ignore' {
        $failure = { Clear-BuildxCache -Builder default -MaxUsedSpace 10GB -Force } |
            Should -Throw -ErrorId 'PruneOptionNotSupported,Buildx.PowerShell.Cmdlets.ClearBuildxCacheCommand' -PassThru
        $failure.Exception.Message | Should -Match 'v0\.17'
        { Clear-BuildxCache -Builder default -MinFreeSpace '1g' -Force } | Should -Throw -ErrorId 'PruneOptionNotSupported,Buildx.PowerShell.Cmdlets.ClearBuildxCacheCommand'
    }

    It 'refuses bad filters and a node that is not running' {
        { Clear-BuildxCache -Filter 'until=soon' -Force } | Should -Throw -ErrorId 'InvalidPruneFilter,Buildx.PowerShell.Cmdlets.ClearBuildxCacheCommand'
        { Clear-BuildxCache -Filter 'until=1h' -KeepDuration 2h -Force } | Should -Throw -ErrorId 'InvalidPruneFilter,Buildx.PowerShell.Cmdlets.ClearBuildxCacheCommand'
        { Clear-BuildxCache -ReservedSpace 'lots' -Force } | Should -Throw -ErrorId 'ParameterArgumentTransformationError,Buildx.PowerShell.Cmdlets.ClearBuildxCacheCommand'
        $name = New-TestName
        $null = New-BuildxBuilder -Name $name -DriverOption $standin
        { Clear-BuildxCache -Builder $name -Force } | Should -Throw -ErrorId 'NodeNotRunning,Buildx.PowerShell.Cmdlets.ClearBuildxCacheCommand'
        { Clear-BuildxCache -Builder 'no-such-builder' -Force } | Should -Throw -ErrorId 'BuilderNotFound,Buildx.PowerShell.Cmdlets.ClearBuildxCacheCommand'
    }

    It 'keeps recent records with -KeepDuration' {
        $record = New-CacheRecord
        Clear-BuildxCache -Builder default -Filter "id=$($record.Id)" -All -KeepDuration 1h -ReservedSpace 1kb -Force | Should -BeNullOrEmpty
        Get-BuildxDiskUsage -Builder default | Where-Object Id -eq $record.Id | Should -Not -BeNullOrEmpty
    }
}
