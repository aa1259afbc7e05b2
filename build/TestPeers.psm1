#Requires -Version 7.4
<#
.SYNOPSIS
    Starts, checks and stops the real peers the Buildx.PowerShell tests talk to:
    a Docker Engine (with its embedded BuildKit), a plain registry, a registry with
    htpasswd auth, and an imported busybox base image.

.DESCRIPTION
    No registry is reachable on the build machines, so everything is local:
    - dockerd on unix:///run/docker.sock (reused when something already answers there),
    - docker-registry on 127.0.0.1:5000 (no auth) and 127.0.0.1:5001 (htpasswd, basic),
    - buildx-test/busybox:latest, imported from a busybox-static rootfs through the Engine API.
    Only processes this module started are recorded (pid files in the state dir) and only
    those are stopped by Stop-BuildxTestPeers. See /work/shared/test-peers.md.
#>

Set-StrictMode -Version Latest

$script:EngineSocketPath = '/run/docker.sock'
$script:DockerHost = 'unix:///run/docker.sock'
$script:RegistryEndpoint = '127.0.0.1:5000'
$script:AuthRegistryEndpoint = '127.0.0.1:5001'
$script:AuthUser = 'buildx'
$script:AuthPassword = 'buildx-test-pass'
$script:BaseImageRepository = 'buildx-test/busybox'
$script:BaseImageTag = 'latest'
$script:BaseImage = "$($script:BaseImageRepository):$($script:BaseImageTag)"
# gcc and libc6-dev compile the static BuildKit stand-in (tests/fixtures/buildkit-standin/relay.c).
$script:AptPackages = @('docker.io', 'docker-registry', 'busybox-static', 'apache2-utils', 'gcc', 'libc6-dev')

# Peers this module can start; the key names the pid record (<key>.pid) and log (<key>.log).
$script:EngineKey = 'dockerd'
$script:RegistryKey = 'registry'
$script:AuthRegistryKey = 'registry-auth'

#region Engine API client

# A ConnectCallback written as a PowerShell script block would run on thread-pool threads that
# have no runspace, so the unix-socket connector is compiled as a tiny C# type instead.
function Initialize-EngineClientType {
    if ('BuildxTestPeers.UnixSocketHttp' -as [type]) { return }
    Add-Type -TypeDefinition @'
using System;
using System.IO;
using System.Net.Http;
using System.Net.Sockets;
using System.Threading.Tasks;

namespace BuildxTestPeers
{
    public static class UnixSocketHttp
    {
        // HttpClient whose every connection goes to the given unix socket; the host in
        // request URIs is only a placeholder.
        public static HttpClient Create(string socketPath, TimeSpan timeout)
        {
            var handler = new SocketsHttpHandler
            {
                UseProxy = false,
                ConnectCallback = async (context, cancellationToken) =>
                {
                    var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                    try
                    {
                        await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), cancellationToken).ConfigureAwait(false);
                        return new NetworkStream(socket, ownsSocket: true);
                    }
                    catch
                    {
                        socket.Dispose();
                        throw;
                    }
                }
            };
            return new HttpClient(handler) { BaseAddress = new Uri("http://docker/"), Timeout = timeout };
        }
    }
}
'@
}

function Invoke-EngineRequest {
    # Sends one Engine API request over the unix socket; returns status code and body text.
    [CmdletBinding()]
    param(
        [Parameter(Mandatory)][System.Net.Http.HttpMethod] $Method,
        [Parameter(Mandatory)][string] $Path,
        [string] $BodyFile,
        [string] $ContentType = 'application/octet-stream',
        [int] $TimeoutSeconds = 60
    )
    Initialize-EngineClientType
    $client = [BuildxTestPeers.UnixSocketHttp]::Create($script:EngineSocketPath, [timespan]::FromSeconds($TimeoutSeconds))
    $bodyStream = $null
    try {
        $request = [System.Net.Http.HttpRequestMessage]::new($Method, $Path)
        if ($BodyFile) {
            $bodyStream = [System.IO.File]::OpenRead($BodyFile)
            $request.Content = [System.Net.Http.StreamContent]::new($bodyStream)
            $request.Content.Headers.ContentType = [System.Net.Http.Headers.MediaTypeHeaderValue]::new($ContentType)
        }
        $response = $client.SendAsync($request).GetAwaiter().GetResult()
        [pscustomobject]@{
            StatusCode = [int]$response.StatusCode
            Body       = $response.Content.ReadAsStringAsync().GetAwaiter().GetResult()
        }
    }
    finally {
        if ($bodyStream) { $bodyStream.Dispose() }
        $client.Dispose()
    }
}

function Test-EnginePing {
    # True when GET /_ping on the engine socket answers 200 "OK".
    if (-not (Test-Path -LiteralPath $script:EngineSocketPath)) { return $false }
    try {
        $response = Invoke-EngineRequest -Method Get -Path '/_ping' -TimeoutSeconds 5
        return ($response.StatusCode -eq 200 -and $response.Body -eq 'OK')
    }
    catch {
        Write-Verbose "Engine ping failed: $($_.Exception.GetBaseException().Message)"
        return $false
    }
}

#endregion

#region Registry and TCP probes

function Test-TcpListening {
    # True when something accepts TCP connections on host:port.
    param([Parameter(Mandatory)][string] $Endpoint)
    $hostName, $port = $Endpoint.Split(':')
    $tcp = [System.Net.Sockets.TcpClient]::new()
    try {
        return $tcp.ConnectAsync($hostName, [int]$port).Wait(1000) -and $tcp.Connected
    }
    catch {
        return $false
    }
    finally {
        $tcp.Dispose()
    }
}

function Test-RegistryAnswer {
    # True when GET http://<endpoint>/v2/ answers 200 (with basic auth when credentials are given).
    param(
        [Parameter(Mandatory)][string] $Endpoint,
        [string] $User,
        [string] $Password
    )
    $handler = [System.Net.Http.SocketsHttpHandler]::new()
    $handler.UseProxy = $false   # proxy variables must never divert loopback probes
    $client = [System.Net.Http.HttpClient]::new($handler)
    $client.Timeout = [timespan]::FromSeconds(5)
    try {
        $request = [System.Net.Http.HttpRequestMessage]::new([System.Net.Http.HttpMethod]::Get, "http://$Endpoint/v2/")
        if ($User) {
            $token = [Convert]::ToBase64String([System.Text.Encoding]::UTF8.GetBytes("$($User):$Password"))
            $request.Headers.Authorization = [System.Net.Http.Headers.AuthenticationHeaderValue]::new('Basic', $token)
        }
        $response = $client.SendAsync($request).GetAwaiter().GetResult()
        return ([int]$response.StatusCode -eq 200)
    }
    catch {
        Write-Verbose "Registry $Endpoint did not answer: $($_.Exception.GetBaseException().Message)"
        return $false
    }
    finally {
        $client.Dispose()
    }
}

#endregion

#region Process records

function Get-ProcessStat {
    # Reads state and start time (clock ticks since boot) from /proc/<pid>/stat; $null when gone.
    param([Parameter(Mandatory)][int] $ProcessId)
    try {
        $text = [System.IO.File]::ReadAllText("/proc/$ProcessId/stat")
    }
    catch {
        return $null
    }
    # The command name is in parentheses and may contain spaces: split after the last ')'.
    $fields = $text.Substring($text.LastIndexOf(')') + 2).Split(' ')
    [pscustomobject]@{ State = $fields[0]; StartTime = [long]$fields[19] }
}

function Test-ProcessAlive {
    # Alive means present and not a zombie (pid 1 here may not reap orphans quickly).
    param([Parameter(Mandatory)][int] $ProcessId)
    $stat = Get-ProcessStat -ProcessId $ProcessId
    return ($null -ne $stat -and $stat.State -ne 'Z')
}

function Get-PeerRecordPath {
    param([Parameter(Mandatory)][string] $StateDir, [Parameter(Mandatory)][string] $Key)
    Join-Path $StateDir "$Key.pid"
}

function Save-PeerRecord {
    # Records a process we started; the start time guards against a recycled pid later.
    param(
        [Parameter(Mandatory)][string] $StateDir,
        [Parameter(Mandatory)][string] $Key,
        [Parameter(Mandatory)][int] $ProcessId,
        [Parameter(Mandatory)][string] $FilePath
    )
    $stat = Get-ProcessStat -ProcessId $ProcessId
    $record = [ordered]@{
        Key       = $Key
        Pid       = $ProcessId
        StartTime = if ($stat) { $stat.StartTime } else { $null }
        FilePath  = $FilePath
    }
    $record | ConvertTo-Json | Set-Content -LiteralPath (Get-PeerRecordPath $StateDir $Key) -Encoding utf8NoBOM
}

function Get-LivePeerRecord {
    # Returns the record when its process is still the one we started; drops stale records.
    param([Parameter(Mandatory)][string] $StateDir, [Parameter(Mandatory)][string] $Key)
    $path = Get-PeerRecordPath $StateDir $Key
    if (-not (Test-Path -LiteralPath $path)) { return $null }
    $record = Get-Content -LiteralPath $path -Raw | ConvertFrom-Json
    $stat = Get-ProcessStat -ProcessId $record.Pid
    if ($null -ne $stat -and $stat.State -ne 'Z' -and $stat.StartTime -eq $record.StartTime) {
        return $record
    }
    Write-Verbose "Dropping stale record for $Key (pid $($record.Pid) is gone or reused)."
    Remove-Item -LiteralPath $path -Force
    return $null
}

#endregion

#region Process control

function Start-DetachedProcess {
    # Starts a daemon in its own session (setsid) with stdio on a log file, so it outlives this
    # pwsh and never holds the caller's pipes open. Returns its pid.
    param(
        [Parameter(Mandatory)][string] $FilePath,
        [string[]] $ArgumentList = @(),
        [Parameter(Mandatory)][string] $LogPath
    )
    # In a non-interactive sh a background child is not a group leader, so setsid does not fork
    # and $! is the daemon's own pid once it execs.
    $psi = [System.Diagnostics.ProcessStartInfo]::new('/bin/sh')
    foreach ($arg in @('-c', 'log=$1; shift; setsid "$@" </dev/null >>"$log" 2>&1 & echo $!', 'sh', $LogPath, $FilePath) + $ArgumentList) {
        $psi.ArgumentList.Add($arg)
    }
    $psi.UseShellExecute = $false
    $psi.RedirectStandardOutput = $true
    $shell = [System.Diagnostics.Process]::Start($psi)
    $output = $shell.StandardOutput.ReadToEnd()
    $shell.WaitForExit()
    $processId = 0
    if ($shell.ExitCode -ne 0 -or -not [int]::TryParse($output.Trim(), [ref]$processId)) {
        throw "Could not start $FilePath (sh exit $($shell.ExitCode), output '$output')."
    }
    Write-Verbose "Started $FilePath $($ArgumentList -join ' ') as pid $processId (log $LogPath)."
    return $processId
}

function Get-LogTail {
    param([Parameter(Mandatory)][string] $LogPath)
    if (Test-Path -LiteralPath $LogPath) { (Get-Content -LiteralPath $LogPath -Tail 15) -join [Environment]::NewLine }
}

function Wait-PeerReady {
    # Polls the readiness probe; fails early, with the log tail, if the process dies meanwhile.
    param(
        [Parameter(Mandatory)][string] $Description,
        [Parameter(Mandatory)][scriptblock] $Probe,
        [object[]] $ProbeArgumentList = @(),
        [Parameter(Mandatory)][int] $ProcessId,
        [Parameter(Mandatory)][string] $LogPath,
        [int] $TimeoutSeconds = 60
    )
    $deadline = [DateTime]::UtcNow.AddSeconds($TimeoutSeconds)
    while ([DateTime]::UtcNow -lt $deadline) {
        if (& $Probe @ProbeArgumentList) { return }
        if (-not (Test-ProcessAlive -ProcessId $ProcessId)) {
            throw "$Description exited before it was ready. Log tail:$([Environment]::NewLine)$(Get-LogTail $LogPath)"
        }
        Start-Sleep -Milliseconds 250
    }
    throw "$Description was not ready within $TimeoutSeconds s. Log tail:$([Environment]::NewLine)$(Get-LogTail $LogPath)"
}

function Stop-RecordedPeer {
    # SIGTERM (lets dockerd stop its containerd), then SIGKILL if it lingers; removes the record.
    [CmdletBinding(SupportsShouldProcess)]
    param(
        [Parameter(Mandatory)][string] $StateDir,
        [Parameter(Mandatory)][string] $Key,
        [int] $TimeoutSeconds = 30
    )
    $record = Get-LivePeerRecord -StateDir $StateDir -Key $Key
    if (-not $record) {
        Write-Verbose "No running $Key recorded as started by us."
        return
    }
    if (-not $PSCmdlet.ShouldProcess("$Key (pid $($record.Pid))", 'Stop')) { return }
    Write-Information "Stopping $Key (pid $($record.Pid))."
    & kill -s TERM $record.Pid 2>$null
    $deadline = [DateTime]::UtcNow.AddSeconds($TimeoutSeconds)
    while ((Test-ProcessAlive -ProcessId $record.Pid) -and [DateTime]::UtcNow -lt $deadline) {
        Start-Sleep -Milliseconds 200
    }
    if (Test-ProcessAlive -ProcessId $record.Pid) {
        Write-Warning "$Key (pid $($record.Pid)) ignored SIGTERM for $TimeoutSeconds s; sending SIGKILL."
        & kill -s KILL $record.Pid 2>$null
        while (Test-ProcessAlive -ProcessId $record.Pid) { Start-Sleep -Milliseconds 100 }
    }
    Remove-Item -LiteralPath (Get-PeerRecordPath $StateDir $Key) -Force
}

#endregion

#region Prerequisites

function Resolve-Application {
    # First match only: with merged /usr, /bin and /usr/bin on PATH yield the same binary twice.
    param([Parameter(Mandatory)][string] $Name)
    (Get-Command -Name $Name -CommandType Application -ErrorAction Stop | Select-Object -First 1).Source
}

function Test-CommandAvailable {
    param([Parameter(Mandatory)][string] $Name)
    [bool](Get-Command -Name $Name -CommandType Application -ErrorAction Ignore)
}

function Test-PackageInstalled {
    param([Parameter(Mandatory)][string] $Name)
    $status = & dpkg-query -W -f='${Status}' $Name 2>$null
    return ($LASTEXITCODE -eq 0 -and $status -eq 'install ok installed')
}

function Install-TestPeerPackages {
    # busybox is checked by package: the dynamic 'busybox' package also provides the command,
    # but only busybox-static's binary runs inside a bare rootfs.
    $missing = @(
        -not (Test-CommandAvailable 'dockerd')
        -not (Test-CommandAvailable 'docker-registry')
        -not (Test-PackageInstalled 'busybox-static')
        -not (Test-CommandAvailable 'htpasswd')
        -not (Test-CommandAvailable 'gcc')
        -not (Test-PackageInstalled 'libc6-dev')
    ) -contains $true
    if (-not $missing) {
        Write-Verbose 'dockerd, docker-registry, busybox-static, htpasswd, gcc and libc6-dev are installed.'
        return
    }
    Write-Information "Installing $($script:AptPackages -join ', ') with apt-get."
    $previousFrontend = $env:DEBIAN_FRONTEND
    $env:DEBIAN_FRONTEND = 'noninteractive'
    try {
        & apt-get update 2>&1 | ForEach-Object { Write-Verbose "$_" }
        if ($LASTEXITCODE -ne 0) { throw "apt-get update failed (exit $LASTEXITCODE)." }
        & apt-get install -y @script:AptPackages 2>&1 | ForEach-Object { Write-Verbose "$_" }
        if ($LASTEXITCODE -ne 0) { throw "apt-get install failed (exit $LASTEXITCODE)." }
    }
    finally {
        $env:DEBIAN_FRONTEND = $previousFrontend
    }
}

#endregion

#region dockerd

function Start-EngineIfNeeded {
    # Reuses any engine that already answers on the socket; only a daemon we start gets a record.
    param([Parameter(Mandatory)][string] $StateDir)
    $null = Get-LivePeerRecord -StateDir $StateDir -Key $script:EngineKey   # drops a stale record
    if (Test-EnginePing) {
        Write-Verbose "Docker Engine already answers on $($script:DockerHost); not starting one."
        return
    }
    $logPath = Join-Path $StateDir "$($script:EngineKey).log"
    $dockerd = Resolve-Application dockerd
    Write-Information "Starting dockerd on $($script:DockerHost)."
    $processId = Start-DetachedProcess -FilePath $dockerd -ArgumentList '--host', $script:DockerHost -LogPath $logPath
    Save-PeerRecord -StateDir $StateDir -Key $script:EngineKey -ProcessId $processId -FilePath $dockerd
    try {
        Wait-PeerReady -Description 'dockerd' -Probe { Test-EnginePing } -ProcessId $processId -LogPath $logPath -TimeoutSeconds 60
    }
    catch {
        Stop-RecordedPeer -StateDir $StateDir -Key $script:EngineKey -Confirm:$false
        throw
    }
}

#endregion

#region Registries

function New-RegistryConfig {
    # A config of our own: the packaged one enables auth on a missing file and listens everywhere.
    param(
        [Parameter(Mandatory)][string] $StateDir,
        [Parameter(Mandatory)][string] $Key,
        [Parameter(Mandatory)][string] $Endpoint,
        [string] $HtpasswdPath
    )
    $dataDir = Join-Path $StateDir "$Key-data"
    $null = New-Item -ItemType Directory -Path $dataDir -Force
    $lines = @(
        'version: 0.1'
        'log:'
        '  level: info'
        'storage:'
        '  filesystem:'
        "    rootdirectory: '$dataDir'"
        '  delete:'
        '    enabled: true'
        'http:'
        "  addr: '$Endpoint'"
    )
    if ($HtpasswdPath) {
        $lines += @(
            'auth:'
            '  htpasswd:'
            '    realm: basic'
            "    path: '$HtpasswdPath'"
        )
    }
    $configPath = Join-Path $StateDir "$Key.yml"
    Set-Content -LiteralPath $configPath -Value $lines -Encoding utf8NoBOM
    return $configPath
}

function New-HtpasswdFile {
    # bcrypt entry, the only hash distribution's htpasswd auth accepts.
    param([Parameter(Mandatory)][string] $StateDir)
    $entry = (& htpasswd -Bbn $script:AuthUser $script:AuthPassword) | Where-Object { $_ } | Select-Object -First 1
    if ($LASTEXITCODE -ne 0 -or -not $entry) { throw "htpasswd failed (exit $LASTEXITCODE)." }
    $path = Join-Path $StateDir 'htpasswd'
    Set-Content -LiteralPath $path -Value $entry -Encoding utf8NoBOM
    return $path
}

function Start-RegistryIfNeeded {
    # Starts docker-registry on the endpoint unless something already listens there.
    param(
        [Parameter(Mandatory)][string] $StateDir,
        [Parameter(Mandatory)][string] $Key,
        [Parameter(Mandatory)][string] $Endpoint,
        [switch] $WithAuth
    )
    $recorded = Get-LivePeerRecord -StateDir $StateDir -Key $Key
    if (Test-TcpListening -Endpoint $Endpoint) {
        $owner = if ($recorded) { "our pid $($recorded.Pid)" } else { 'not started by us' }
        Write-Verbose "Something already listens on $Endpoint ($owner); not starting a registry."
        return
    }
    # Probe values go in as arguments: a GetNewClosure() block could not see this module's private functions.
    $probe = { param($endpoint, $user, $password) Test-RegistryAnswer -Endpoint $endpoint -User $user -Password $password }
    $probeArgs = @($Endpoint, $(if ($WithAuth) { $script:AuthUser } else { '' }), $script:AuthPassword)
    $logPath = Join-Path $StateDir "$Key.log"
    if ($recorded) {
        # Ours, still starting up: wait for it rather than racing it for the port.
        Wait-PeerReady -Description "registry on $Endpoint" -Probe $probe -ProbeArgumentList $probeArgs -ProcessId $recorded.Pid -LogPath $logPath -TimeoutSeconds 30
        return
    }
    $htpasswd = if ($WithAuth) { New-HtpasswdFile -StateDir $StateDir }
    $config = New-RegistryConfig -StateDir $StateDir -Key $Key -Endpoint $Endpoint -HtpasswdPath $htpasswd
    $registry = Resolve-Application docker-registry
    Write-Information "Starting docker-registry on $Endpoint$(if ($WithAuth) { ' (htpasswd auth)' })."
    $processId = Start-DetachedProcess -FilePath $registry -ArgumentList 'serve', $config -LogPath $logPath
    Save-PeerRecord -StateDir $StateDir -Key $Key -ProcessId $processId -FilePath $registry
    try {
        Wait-PeerReady -Description "registry on $Endpoint" -Probe $probe -ProbeArgumentList $probeArgs -ProcessId $processId -LogPath $logPath -TimeoutSeconds 30
    }
    catch {
        Stop-RecordedPeer -StateDir $StateDir -Key $Key -Confirm:$false
        throw
    }
}

#endregion

#region Base image

function Test-BaseImagePresent {
    $response = Invoke-EngineRequest -Method Get -Path "/images/$($script:BaseImage)/json"
    if ($response.StatusCode -eq 200) { return $true }
    if ($response.StatusCode -eq 404) { return $false }
    throw "GET /images/$($script:BaseImage)/json answered $($response.StatusCode): $($response.Body)"
}

function New-BusyboxRootfs {
    # Minimal rootfs: static busybox, its applet links in /bin, passwd/group, 1777 /tmp.
    param([Parameter(Mandatory)][string] $Path)
    foreach ($dir in 'bin', 'etc', 'tmp', 'root', 'proc', 'sys', 'dev') {
        $null = New-Item -ItemType Directory -Path (Join-Path $Path $dir) -Force
    }
    $busybox = Join-Path $Path 'bin/busybox'
    $source = Resolve-Application busybox
    [System.IO.File]::Copy($source, $busybox, $true)
    [System.IO.File]::SetUnixFileMode($busybox, [System.IO.UnixFileMode]'UserRead, UserWrite, UserExecute, GroupRead, GroupExecute, OtherRead, OtherExecute')
    # Like `busybox --install -s`, but into the rootfs and with relative links.
    $applets = & $busybox --list
    if ($LASTEXITCODE -ne 0) { throw "busybox --list failed (exit $LASTEXITCODE)." }
    foreach ($applet in $applets | Where-Object { $_ -and $_ -ne 'busybox' }) {
        $null = [System.IO.File]::CreateSymbolicLink((Join-Path $Path "bin/$applet"), 'busybox')
    }
    Set-Content -LiteralPath (Join-Path $Path 'etc/passwd') -Encoding utf8NoBOM -Value @(
        'root:x:0:0:root:/root:/bin/sh'
        'nobody:x:65534:65534:nobody:/nonexistent:/bin/false'
    )
    Set-Content -LiteralPath (Join-Path $Path 'etc/group') -Encoding utf8NoBOM -Value @(
        'root:x:0:'
        'nobody:x:65534:'
    )
    [System.IO.File]::SetUnixFileMode((Join-Path $Path 'tmp'), [System.IO.UnixFileMode]'StickyBit, UserRead, UserWrite, UserExecute, GroupRead, GroupWrite, GroupExecute, OtherRead, OtherWrite, OtherExecute')
    [System.IO.File]::SetUnixFileMode((Join-Path $Path 'root'), [System.IO.UnixFileMode]'UserRead, UserWrite, UserExecute')
    Write-Verbose "Built busybox rootfs in $Path with $(@($applets).Count) applets."
}

function New-RootfsTarball {
    # Files owned by 0:0 in the image regardless of who built the rootfs.
    param([Parameter(Mandatory)][string] $RootfsPath, [Parameter(Mandatory)][string] $TarPath)
    & tar --numeric-owner --owner=0 --group=0 -C $RootfsPath -cf $TarPath .
    if ($LASTEXITCODE -ne 0) { throw "tar failed (exit $LASTEXITCODE)." }
}

function Import-RootfsTarball {
    # POST /images/create?fromSrc=- answers 200 and reports failures inside its JSON stream.
    param([Parameter(Mandatory)][string] $TarPath)
    $changes = @('ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', 'CMD ["sh"]') |
        ForEach-Object { '&changes=' + [uri]::EscapeDataString($_) }
    $path = '/images/create?fromSrc=-&repo=' + [uri]::EscapeDataString($script:BaseImageRepository) +
        '&tag=' + [uri]::EscapeDataString($script:BaseImageTag) + ($changes -join '')
    $response = Invoke-EngineRequest -Method Post -Path $path -BodyFile $TarPath -ContentType 'application/x-tar' -TimeoutSeconds 300
    if ($response.StatusCode -ne 200) {
        throw "Image import answered $($response.StatusCode): $($response.Body)"
    }
    foreach ($line in $response.Body -split "`r?`n" | Where-Object { $_.Trim() }) {
        $message = $line | ConvertFrom-Json
        if ($message.PSObject.Properties['error'] -and $message.error) { throw "Image import failed: $($message.error)" }
        if ($message.PSObject.Properties['status']) { Write-Verbose "Import: $($message.status)" }
    }
}

function Import-BaseImageIfMissing {
    if (Test-BaseImagePresent) {
        Write-Verbose "Image $($script:BaseImage) is already in the engine."
        return
    }
    Write-Information "Importing $($script:BaseImage) from a busybox-static rootfs."
    $workDir = [System.IO.Directory]::CreateTempSubdirectory('buildx-busybox-').FullName
    try {
        $rootfs = Join-Path $workDir 'rootfs'
        $tarPath = Join-Path $workDir 'rootfs.tar'
        New-BusyboxRootfs -Path $rootfs
        New-RootfsTarball -RootfsPath $rootfs -TarPath $tarPath
        Import-RootfsTarball -TarPath $tarPath
    }
    finally {
        Remove-Item -LiteralPath $workDir -Recurse -Force -ErrorAction Ignore
    }
    if (-not (Test-BaseImagePresent)) { throw "Image $($script:BaseImage) is missing after the import." }
}

#endregion

#region Public

function Start-BuildxTestPeers {
    <#
    .SYNOPSIS
        Ensures dockerd, both test registries and the busybox base image are available (idempotent).
    .PARAMETER StateDir
        Directory for pid records, logs, registry configs and registry storage.
    .OUTPUTS
        An object with DockerHost, Registry, AuthRegistry, AuthUser, AuthPassword, BaseImage, StateDir.
    #>
    [CmdletBinding()]
    [OutputType([pscustomobject])]
    param([Parameter(Mandatory)][string] $StateDir)

    $ErrorActionPreference = 'Stop'
    $StateDir = (New-Item -ItemType Directory -Path $StateDir -Force).FullName
    Install-TestPeerPackages
    Start-EngineIfNeeded -StateDir $StateDir
    Start-RegistryIfNeeded -StateDir $StateDir -Key $script:RegistryKey -Endpoint $script:RegistryEndpoint
    Start-RegistryIfNeeded -StateDir $StateDir -Key $script:AuthRegistryKey -Endpoint $script:AuthRegistryEndpoint -WithAuth
    Import-BaseImageIfMissing

    [pscustomobject]@{
        PSTypeName   = 'Buildx.TestPeers'
        DockerHost   = $script:DockerHost
        Registry     = $script:RegistryEndpoint
        AuthRegistry = $script:AuthRegistryEndpoint
        AuthUser     = $script:AuthUser
        AuthPassword = $script:AuthPassword
        BaseImage    = $script:BaseImage
        StateDir     = $StateDir
    }
}

function Stop-BuildxTestPeers {
    <#
    .SYNOPSIS
        Stops only the peers Start-BuildxTestPeers recorded as started by it; leaves the rest alone.
    .PARAMETER StateDir
        The directory given to Start-BuildxTestPeers.
    #>
    [CmdletBinding(SupportsShouldProcess)]
    param([Parameter(Mandatory)][string] $StateDir)

    $ErrorActionPreference = 'Stop'
    if (-not (Test-Path -LiteralPath $StateDir -PathType Container)) {
        Write-Verbose "State dir $StateDir does not exist; nothing to stop."
        return
    }
    # Registries first: nothing depends on them, while they may be in use by builds in dockerd.
    foreach ($key in $script:AuthRegistryKey, $script:RegistryKey, $script:EngineKey) {
        Stop-RecordedPeer -StateDir $StateDir -Key $key
    }
}

function Test-BuildxTestPeers {
    <#
    .SYNOPSIS
        True when dockerd answers /_ping and both registries answer GET /v2/ with 200.
    #>
    [CmdletBinding()]
    [OutputType([bool])]
    param()

    $ErrorActionPreference = 'Stop'
    $engine = Test-EnginePing
    $registry = Test-RegistryAnswer -Endpoint $script:RegistryEndpoint
    $authRegistry = Test-RegistryAnswer -Endpoint $script:AuthRegistryEndpoint -User $script:AuthUser -Password $script:AuthPassword
    Write-Verbose "Engine: $engine; registry $($script:RegistryEndpoint): $registry; auth registry $($script:AuthRegistryEndpoint): $authRegistry."
    return ($engine -and $registry -and $authRegistry)
}

#endregion

Export-ModuleMember -Function Start-BuildxTestPeers, Stop-BuildxTestPeers, Test-BuildxTestPeers
