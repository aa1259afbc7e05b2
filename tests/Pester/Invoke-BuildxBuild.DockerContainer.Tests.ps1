# Builds through a docker-container builder: the stand-in container relays `buildctl dial-stdio`
# to the engine's BuildKit, so the session goes through Control.Session on that exec stream
# (the path every non-docker driver uses), not through the engine's /session upgrade.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-ModuleManifestPath) -Force
    Initialize-StandinImage
    $store = Enter-TestStore
    $standin = Get-StandinDriverOption
    $name = New-TestName
    $null = New-BuildxBuilder -Name $name -DriverOption $standin -Bootstrap
}

AfterAll {
    Remove-BuildxBuilder -Name $name -Force -Confirm:$false -ErrorAction SilentlyContinue
    Exit-TestStore
}

Describe 'Invoke-BuildxBuild on a docker-container builder' {
    It 'sends the context and receives a local export through Control.Session' {
        $ctx = Join-Path ([IO.Path]::GetTempPath()) ("buildx-ctx-" + [guid]::NewGuid().ToString('N'))
        New-Item -ItemType Directory -Path $ctx | Out-Null
        Set-Content (Join-Path $ctx 'Dockerfile') "FROM scratch`nCOPY . /`n" -NoNewline
        Set-Content (Join-Path $ctx 'payload.txt') 'through the exec stream' -NoNewline
        Set-Content (Join-Path $ctx 'ignored.tmp') 'x' -NoNewline
        Set-Content (Join-Path $ctx '.dockerignore') '*.tmp' -NoNewline
        $out = Join-Path ([IO.Path]::GetTempPath()) ("buildx-out-" + [guid]::NewGuid().ToString('N'))

        $result = Get-BuildxBuilder -Name $name | Invoke-BuildxBuild -Path $ctx -Output @{ type = 'local'; dest = $out } -Progress Quiet

        $result.Builder | Should -Be $name
        $result.Node | Should -Be "${name}0"
        Get-Content (Join-Path $out 'payload.txt') | Should -Be 'through the exec stream'
        Join-Path $out 'ignored.tmp' | Should -Not -Exist
        $result.SessionBytesSent | Should -BeGreaterThan 0
    }

    It 'warns that the result stays in the cache when no output is given' {
        $ctx = Join-Path ([IO.Path]::GetTempPath()) ("buildx-ctx-" + [guid]::NewGuid().ToString('N'))
        New-Item -ItemType Directory -Path $ctx | Out-Null
        Set-Content (Join-Path $ctx 'Dockerfile') "FROM scratch`nCOPY Dockerfile /`n" -NoNewline

        $null = Invoke-BuildxBuild -Builder $name -Path $ctx -Progress Quiet -WarningVariable warnings 3>$null

        ($warnings | Out-String) | Should -Match 'No output specified with docker-container driver'
    }
}
