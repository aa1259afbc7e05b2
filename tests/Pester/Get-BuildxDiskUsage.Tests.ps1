BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-ModuleManifestPath) -Force
    $savedHost = $env:DOCKER_HOST
    $marker = [guid]::NewGuid().ToString('N')
    Invoke-EngineBuild -Dockerfile "FROM scratch`nCOPY Dockerfile /$marker`n"
}


Describe 'Get-BuildxDiskUsage' {
    AfterEach { $env:DOCKER_HOST = $savedHost }

    It 'lists the cache records of the current builder' {
        $records = Get-BuildxDiskUsage -ErrorAction Stop
        $records | Should -Not -BeNullOrEmpty
        $records[0].GetType().FullName | Should -Be 'Buildx.Core.BuildKit.DiskUsageRecord'
        $records | ForEach-Object {
            $_.Id | Should -Not -BeNullOrEmpty
            $_.Builder | Should -Be 'default'
            $_.Reclaimable | Should -Be (-not $_.InUse)
        }
        $recent = $records | Where-Object { $_.LastUsedAt -gt [DateTimeOffset]::UtcNow.AddMinutes(-5) }
        $recent | Should -Not -BeNullOrEmpty
    }

    It 'takes the builder from the pipeline' {
        $records = Get-BuildxBuilder -Name default | Get-BuildxDiskUsage
        $records | Should -Not -BeNullOrEmpty
        ($records | Select-Object -ExpandProperty Builder -Unique) | Should -Be 'default'
    }

    It 'passes filters to BuildKit' {
        $one = (Get-BuildxDiskUsage)[0]
        $filtered = Get-BuildxDiskUsage -Filter "id==$($one.Id)"
        $filtered.Id | Should -Be $one.Id
    }

    It 'formats like docker buildx du' {
        $text = Get-BuildxDiskUsage | Format-Table | Out-String -Width 200
        $text | Should -Match 'ID\s+RECLAIMABLE\s+SIZE\s+LAST ACCESSED'
        $text | Should -Match '(B|kB|MB|GB)\*?\s'
    }

    It 'fails with BuilderNotFound for an unknown builder' {
        { Get-BuildxDiskUsage -Builder nope } | Should -Throw -ErrorId 'BuilderNotFound,Buildx.PowerShell.Cmdlets.GetBuildxDiskUsageCommand'
    }

    It 'gives a terminating EngineUnreachable error within 5 s when the engine is gone' {
        $env:DOCKER_HOST = 'unix:///nonexistent/docker.sock'
        $clock = [Diagnostics.Stopwatch]::StartNew()
        $failure = { Get-BuildxDiskUsage } | Should -Throw -ErrorId 'EngineUnreachable,Buildx.PowerShell.Cmdlets.GetBuildxDiskUsageCommand' -PassThru
        $clock.Elapsed.TotalSeconds | Should -BeLessThan 5
        $failure.Exception.Message | Should -Match '/nonexistent/docker.sock'
    }
}
