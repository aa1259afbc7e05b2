# Builds, disk usage and prune through remote builders, on the same code path as every driver:
# over a unix socket, plain TCP, mutual TLS (the relay process), and docker-container:// (an exec
# of `buildctl dial-stdio` in the BuildKit stand-in container).
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-ModuleManifestPath) -Force
    Initialize-StandinImage
    $store = Enter-TestStore
    $work = New-Item -ItemType Directory -Path (Join-Path ([IO.Path]::GetTempPath()) ("buildx-remote-" + [guid]::NewGuid().ToString('N')))
    $certs = Join-Path $work 'certs'
    $unix = Start-TestRelay -UnixSocket (Join-Path $work 'buildkitd.sock')
    $plainTcp = Start-TestRelay
    $mutual = Start-TestRelay -CertDirectory $certs -Tls server -Mutual

    # A running stand-in container, made by a docker-container builder; the remote builder only execs in it.
    $containerBuilder = New-TestName
    $null = New-BuildxBuilder -Name $containerBuilder -DriverOption (Get-StandinDriverOption) -Bootstrap

    $builders = @{
        unix               = New-BuildxBuilder -Name (New-TestName) -Endpoint $unix.Address
        tcp                = New-BuildxBuilder -Name (New-TestName) -Endpoint $plainTcp.Address 3>$null
        'mutual TLS'       = New-BuildxBuilder -Name (New-TestName) -Endpoint $mutual.Address -DriverOption @{
            cacert = (Join-Path $certs 'ca.pem'); cert = (Join-Path $certs 'client.pem'); key = (Join-Path $certs 'client-key.pem') }
        'docker-container' = New-BuildxBuilder -Name (New-TestName) -Endpoint "docker-container://buildx_buildkit_${containerBuilder}0"
    }

    function New-MessageContext {
        param([string] $Text)
        $ctx = Join-Path $work ("ctx-" + [guid]::NewGuid().ToString('N'))
        New-Item -ItemType Directory -Path $ctx | Out-Null
        Set-Content (Join-Path $ctx 'Dockerfile') "FROM scratch`nCOPY message.txt /`n" -NoNewline
        Set-Content (Join-Path $ctx 'message.txt') $Text -NoNewline
        $ctx
    }
}

AfterAll {
    foreach ($builder in $builders.Values) { Remove-BuildxBuilder -Name $builder.Name -Force -Confirm:$false -ErrorAction SilentlyContinue }
    Remove-BuildxBuilder -Name $containerBuilder -Force -Confirm:$false -ErrorAction SilentlyContinue
    foreach ($relay in $unix, $plainTcp, $mutual) { if ($relay) { Stop-TestRelay $relay } }
    Exit-TestStore
    Remove-Item $work -Recurse -Force -ErrorAction Ignore
}

Describe 'Invoke-BuildxBuild through a remote builder' {
    It 'builds and exports through <_>' -ForEach @('unix', 'tcp', 'mutual TLS', 'docker-container') {
        $builder = $builders[$_]
        $text = "through $_ $([guid]::NewGuid())"
        $out = Join-Path $work ("out-" + [guid]::NewGuid().ToString('N'))

        $result = $builder | Invoke-BuildxBuild -Path (New-MessageContext $text) -Output @{ type = 'local'; dest = $out } -Progress Quiet 3>$null

        $result.Builder | Should -Be $builder.Name
        Get-Content (Join-Path $out 'message.txt') -Raw | Should -Be $text
    }

    It 'cancels the solve and ends the session within seconds when stopped (Ctrl+C), through <_>' -ForEach @('unix', 'tcp', 'mutual TLS') {
        # A plain unix or TCP remote builder's session runs on a socket of its own, read with poll by the
        # session's threads; a TLS one on an asynchronous stream. Stopping must end either at once.
        $baseImage = if ($env:BUILDX_TEST_BASE_IMAGE) { $env:BUILDX_TEST_BASE_IMAGE } else { 'buildx-test/busybox:latest' }
        $run = Invoke-StoppedBuild -BaseImage $baseImage -Builder $builders[$_].Name

        $run.Started | Should -BeTrue -Because 'the RUN step must have started'
        $run.StopSeconds | Should -BeLessThan 3
        $run.StepSurvived | Should -BeFalse -Because 'the daemon must have cancelled the RUN step'
    }

    It 'warns on every build through plain TCP' {
        $out = Join-Path $work ("out-" + [guid]::NewGuid().ToString('N'))

        $null = Invoke-BuildxBuild -Builder $builders.tcp.Name -Path (New-MessageContext 'warned') -Output @{ type = 'local'; dest = $out } -Progress Quiet -WarningVariable warnings 3>$null

        ($warnings | Out-String) | Should -Match 'plain TCP without TLS'
    }

    It 'reads disk usage and prunes through mutual TLS' {
        $builder = $builders['mutual TLS']
        # A fresh record in the engine's BuildKit, which the relay reaches.
        Invoke-EngineBuild -Dockerfile "FROM scratch`nCOPY Dockerfile /$([guid]::NewGuid().ToString('N'))`n"
        $record = $builder | Get-BuildxDiskUsage | Sort-Object LastUsedAt -Descending | Select-Object -First 1
        $record.Builder | Should -Be $builder.Name

        $removed = $builder | Clear-BuildxCache -Filter "id==$($record.Id)" -All -Force

        $removed.Id | Should -Be $record.Id
        $builder | Get-BuildxDiskUsage | Where-Object Id -eq $record.Id | Should -BeNullOrEmpty
    }
}
