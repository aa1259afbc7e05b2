# Shared by the Pester files: where things are, and a real build in the engine to fill the cache.

$script:RepositoryRoot = (Resolve-Path (Join-Path $PSScriptRoot '../..')).Path

function Get-RepositoryRoot { $script:RepositoryRoot }

function Get-ModuleManifestPath { Join-Path $script:RepositoryRoot 'Buildx.psd1' }

# Scratch paths the tests make; Remove-TestScratch deletes them when a file's tests end.
$script:Scratch = [System.Collections.Generic.List[string]]::new()

function New-ScratchPath {
    # A fresh path under the temp directory, not yet created, that Remove-TestScratch deletes.
    param([Parameter(Mandatory)][string] $Kind, [string] $Suffix = '')
    $path = Join-Path ([IO.Path]::GetTempPath()) ("buildx-$Kind-" + [guid]::NewGuid().ToString('N') + $Suffix)
    $script:Scratch.Add($path)
    $path
}

function New-Context {
    # A fresh build context: the Dockerfile and the given files (relative name -> content; folders made as needed).
    param([Parameter(Mandatory)][string] $Dockerfile, [hashtable] $Files = @{})
    $dir = New-ScratchPath ctx
    New-Item -ItemType Directory -Path $dir | Out-Null
    Set-Content -Path (Join-Path $dir 'Dockerfile') -Value $Dockerfile -NoNewline
    foreach ($name in $Files.Keys) {
        $path = Join-Path $dir $name
        New-Item -ItemType Directory -Path (Split-Path $path) -Force | Out-Null
        Set-Content -Path $path -Value $Files[$name] -NoNewline
    }
    $dir
}

function New-OutputPath { param([string] $Suffix = '') New-ScratchPath out $Suffix }

function Remove-TestScratch {
    foreach ($path in $script:Scratch) { Remove-Item -LiteralPath $path -Recurse -Force -ErrorAction Ignore }
    $script:Scratch.Clear()
}

function Get-RegistryManifest {
    # What the test registry serves for repo:reference (tag or digest): the digest and the parsed
    # manifest or index, or $null when it has none. -Authenticate logs in to the htpasswd registry.
    param([Parameter(Mandatory)][string] $Registry, [Parameter(Mandatory)][string] $Repository, [Parameter(Mandatory)][string] $Reference, [switch] $Authenticate)
    $headers = @{ Accept = 'application/vnd.oci.image.index.v1+json, application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json, application/vnd.docker.distribution.manifest.list.v2+json' }
    if ($Authenticate) { $headers.Authorization = 'Basic ' + [Convert]::ToBase64String([Text.Encoding]::UTF8.GetBytes('buildx:buildx-test-pass')) }
    $response = Invoke-WebRequest -Uri "http://$Registry/v2/$Repository/manifests/$Reference" -Headers $headers -SkipHttpErrorCheck
    if ($response.StatusCode -ne 200) { return $null }
    [pscustomobject]@{ Digest = [string]$response.Headers['Docker-Content-Digest']; Manifest = [Text.Encoding]::UTF8.GetString($response.Content) | ConvertFrom-Json }
}

function Get-EngineSocket {
    # The engine the tests use: DOCKER_HOST when it is a unix socket, else the platform default.
    if ($env:DOCKER_HOST -like 'unix://*') { return $env:DOCKER_HOST.Substring(7) }
    '/var/run/docker.sock'
}

function Invoke-EngineBuild {
    # Builds a Dockerfile with the engine's own BuildKit (POST /build?version=2) so the cache has
    # fresh records. Test fixture only: the module itself never calls /build.
    param([Parameter(Mandatory)][string] $Dockerfile)
    $dir = Join-Path ([IO.Path]::GetTempPath()) ("buildx-ctx-" + [guid]::NewGuid().ToString('N'))
    New-Item -ItemType Directory -Path $dir | Out-Null
    try {
        Set-Content -Path (Join-Path $dir 'Dockerfile') -Value $Dockerfile -NoNewline
        $tar = Join-Path $dir 'context.tar'
        & tar -C $dir -cf $tar Dockerfile
        $answer = Invoke-WebRequest -UnixSocket (Get-EngineSocket) -Method Post -Uri 'http://engine/v1.41/build?version=2&rm=1' `
            -ContentType 'application/x-tar' -InFile $tar
        if ($answer.Content -match '"error"') { throw "The engine build failed: $($answer.Content)" }
    }
    finally {
        Remove-Item $dir -Recurse -Force
    }
}

function Invoke-ChildPwsh {
    # A fresh PowerShell of the same version as this one; run as a .NET tool this process is
    # 'dotnet pwsh.dll', so the child is started the same way.
    param([Parameter(ValueFromRemainingArguments)][string[]] $Arguments)
    $process = [Environment]::ProcessPath
    if ([IO.Path]::GetFileNameWithoutExtension($process) -eq 'dotnet') {
        & $process (Join-Path $PSHOME 'pwsh.dll') @Arguments
    }
    else {
        & $process @Arguments
    }
}

#region BuildKit stand-in and test stores

# The BuildKit stand-in image (tests/fixtures/buildkit-standin/relay.c): the same image, reference
# and fingerprint label the xunit suite's StandinImage builds, so either suite may build it first.
$script:StandinReference = 'buildx-test/buildkit-standin:latest'
$script:StandinLabel = 'org.buildx-powershell.standin.source'

function Invoke-EngineApi {
    # One Engine API call over the test engine's socket; a 404 is $null.
    param([Parameter(Mandatory)][string] $Path, [string] $Method = 'Get', [hashtable] $Headers = @{})
    $answer = Invoke-RestMethod -UnixSocket (Get-EngineSocket) -Uri "http://engine/v1.41/$Path" -Method $Method -Headers $Headers -SkipHttpErrorCheck -StatusCodeVariable status
    if ($status -eq 404) { return $null }
    if ($status -ge 400) { throw "Engine API $Method $Path failed ($status): $($answer | ConvertTo-Json -Compress)" }
    $answer
}

function Get-EngineContainer { param([Parameter(Mandatory)][string] $Name) Invoke-EngineApi "containers/$Name/json" }

function Get-EngineVolume { param([Parameter(Mandatory)][string] $Name) Invoke-EngineApi "volumes/$Name" }

function Initialize-StandinImage {
    # Builds the stand-in image unless the engine already has it for the current relay.c:
    # busybox plus the relay (gcc -static) as buildctl and buildkitd, imported as a rootfs tarball.
    $source = Join-Path $script:RepositoryRoot 'tests/fixtures/buildkit-standin/relay.c'
    $fingerprint = (Get-FileHash $source -Algorithm SHA256).Hash.ToLowerInvariant()
    $image = Invoke-EngineApi "images/$script:StandinReference/json"
    if ($image -and $image.Config.Labels.$script:StandinLabel -eq $fingerprint) { return }

    $work = Join-Path ([IO.Path]::GetTempPath()) ("standin-" + [guid]::NewGuid().ToString('N'))
    $rootfs = New-Item -ItemType Directory -Path (Join-Path $work 'rootfs')
    try {
        foreach ($dir in 'bin', 'etc', 'root', 'run', 'tmp', 'usr/bin', 'var/lib/buildkit') {
            New-Item -ItemType Directory -Path (Join-Path $rootfs $dir) -Force | Out-Null
        }
        & gcc -static -O2 -Wall -Wextra -Werror -o (Join-Path $rootfs 'usr/bin/buildctl') $source
        if ($LASTEXITCODE -ne 0) { throw 'Compiling the BuildKit stand-in failed; it needs gcc and a static libc.' }
        New-Item -ItemType SymbolicLink -Path (Join-Path $rootfs 'usr/bin/buildkitd') -Target 'buildctl' | Out-Null
        Copy-Item /bin/busybox (Join-Path $rootfs 'bin/busybox')
        foreach ($applet in (& /bin/busybox --list) | Where-Object { $_ -and $_ -ne 'busybox' }) {
            New-Item -ItemType SymbolicLink -Path (Join-Path $rootfs "bin/$applet") -Target 'busybox' | Out-Null
        }
        Set-Content (Join-Path $rootfs 'etc/passwd') "root:x:0:0:root:/root:/bin/sh" -NoNewline:$false
        Set-Content (Join-Path $rootfs 'etc/group') "root:x:0:" -NoNewline:$false
        & chmod 1777 (Join-Path $rootfs 'tmp')
        $tar = Join-Path $work 'rootfs.tar'
        & tar --owner=0 --group=0 --numeric-owner -C $rootfs -cf $tar .
        if ($LASTEXITCODE -ne 0) { throw 'Packing the stand-in rootfs failed.' }
        $changes = @('ENTRYPOINT ["buildkitd"]', 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', "LABEL $script:StandinLabel=$fingerprint") |
            ForEach-Object { '&changes=' + [uri]::EscapeDataString($_) }
        $uri = "http://engine/v1.41/images/create?fromSrc=-&repo=buildx-test/buildkit-standin&tag=latest$($changes -join '')"
        $answer = Invoke-WebRequest -UnixSocket (Get-EngineSocket) -Method Post -Uri $uri -ContentType 'application/x-tar' -InFile $tar
        if ($answer.Content -match '"error"') { throw "Importing the stand-in image failed: $($answer.Content)" }
    }
    finally {
        Remove-Item $work -Recurse -Force -ErrorAction Ignore
    }
}

function Enter-TestStore {
    # Points this process at a fresh store of its own (optionally a copy of the buildx-format
    # fixtures), and lets docker-container builders on the stand-in reach the engine socket
    # through the test-only bind hook. Exit-TestStore undoes both.
    param([switch] $WithFixtures)
    $script:SavedStore = $env:BUILDX_CONFIG
    $script:SavedBinds = $env:BUILDX_POWERSHELL_TEST_CONTAINER_BINDS
    $store = Join-Path ([IO.Path]::GetTempPath()) ("buildx-store-" + [guid]::NewGuid().ToString('N'))
    if ($WithFixtures) {
        Copy-Item (Join-Path $script:RepositoryRoot 'tests/Buildx.Core.Tests/Store/Fixtures/buildx-store') $store -Recurse
    }
    else {
        New-Item -ItemType Directory -Path $store | Out-Null
    }
    $env:BUILDX_CONFIG = $store
    $env:BUILDX_POWERSHELL_TEST_CONTAINER_BINDS = "$(Get-EngineSocket):/run/docker.sock"
    $store
}

function Exit-TestStore {
    # Removes the containers and volumes of the store's docker-container nodes, then the store.
    $store = $env:BUILDX_CONFIG
    foreach ($file in Get-ChildItem (Join-Path $store 'instances') -File -ErrorAction Ignore) {
        $group = Get-Content $file.FullName -Raw | ConvertFrom-Json -AsHashtable
        foreach ($node in @($group.Nodes)) { if ($node) { Remove-StandinNode $node.Name } }
    }
    Remove-Item $store -Recurse -Force -ErrorAction Ignore
    $env:BUILDX_CONFIG = $script:SavedStore
    $env:BUILDX_POWERSHELL_TEST_CONTAINER_BINDS = $script:SavedBinds
}

function Remove-StandinNode {
    # Removes a node's container and state volume if they exist.
    param([Parameter(Mandatory)][string] $NodeName)
    $null = Invoke-EngineApi "containers/buildx_buildkit_$NodeName`?force=1&v=1" -Method Delete
    $null = Invoke-EngineApi "volumes/buildx_buildkit_${NodeName}_state?force=1" -Method Delete
}

function Get-StandinDriverOption {
    # Driver options for builders on the stand-in: its image, unprivileged (this machine refuses
    # privileged containers).
    @{ image = $script:StandinReference; privileged = $false }
}

function New-TestName {
    # A builder name no other test or run uses.
    param([string] $Prefix = 'pt')
    $Prefix + [guid]::NewGuid().ToString('N').Substring(0, 8)
}

#endregion

#region BuildKit relay (tests/Buildx.TestRelay): a standalone-buildkitd stand-in for remote builders

function Get-TestRelayAssembly {
    # The relay build.ps1 Build compiled with the solution (newest configuration wins).
    $assembly = Get-ChildItem (Join-Path $script:RepositoryRoot 'tests/Buildx.TestRelay/bin') -Recurse -Filter 'Buildx.TestRelay.dll' -ErrorAction Ignore |
        Where-Object { $_.Directory.Name -eq 'net10.0' } | Sort-Object LastWriteTime -Descending | Select-Object -First 1
    if (-not $assembly) { throw 'The BuildKit relay is not built; run build.ps1 Build first.' }
    $assembly.FullName
}

function Start-TestRelay {
    # Starts the relay as a process: on a unix socket or a loopback TCP port, plain or TLS (with
    # the test certificates it writes as PEM into -CertDirectory). Returns its address and process.
    param(
        [string] $UnixSocket,
        [string] $CertDirectory,
        [ValidateSet('server', 'expired', 'rogue')] [string] $Tls,
        [switch] $Mutual
    )
    $arguments = [Collections.Generic.List[string]]::new()
    $arguments.Add((Get-TestRelayAssembly))
    if ($UnixSocket) { $arguments.AddRange([string[]]@('--unix', $UnixSocket)) } else { $arguments.Add('--tcp') }
    if ($CertDirectory) { $arguments.AddRange([string[]]@('--certs', $CertDirectory)) }
    if ($Tls) { $arguments.AddRange([string[]]@('--tls', $Tls)) }
    if ($Mutual) { $arguments.Add('--mutual') }
    $dotnet = if ([IO.Path]::GetFileNameWithoutExtension([Environment]::ProcessPath) -eq 'dotnet') { [Environment]::ProcessPath } else { 'dotnet' }
    $start = [Diagnostics.ProcessStartInfo]::new($dotnet, $arguments)
    $start.RedirectStandardInput = $true
    $start.RedirectStandardOutput = $true
    $start.UseShellExecute = $false
    $process = [Diagnostics.Process]::Start($start)
    $line = $process.StandardOutput.ReadLine()
    if ($line -notlike 'LISTENING *') {
        $process.Kill()
        throw "The BuildKit relay did not start: '$line'"
    }
    [pscustomobject]@{ Address = $line.Substring(10); Process = $process }
}

function Stop-TestRelay {
    # Closing its stdin ends the relay; it is killed if it lingers.
    param([Parameter(Mandatory)] $Relay)
    $Relay.Process.StandardInput.Close()
    if (-not $Relay.Process.WaitForExit(5000)) { $Relay.Process.Kill() }
    $Relay.Process.Dispose()
}

#endregion

function Invoke-StoppedBuild {
    # Starts Invoke-BuildxBuild on a RUN step that sleeps, in a runspace of its own; once the step runs,
    # stops the runspace as Ctrl+C does. Reports whether the step started, how long the stop took, and
    # whether the step outlived it (the daemon must cancel it).
    param([Parameter(Mandatory)][string] $BaseImage, [string] $Builder)
    $marker = Get-Random -Minimum 100000 -Maximum 999999
    $ctx = Join-Path ([IO.Path]::GetTempPath()) ("buildx-ctx-" + [guid]::NewGuid().ToString('N'))
    New-Item -ItemType Directory -Path $ctx | Out-Null
    Set-Content (Join-Path $ctx 'Dockerfile') "FROM $BaseImage`nRUN sleep $marker`n" -NoNewline
    $builderArgument = if ($Builder) { "-Builder '$Builder' " } else { '' }
    $shell = [powershell]::Create()
    $null = $shell.AddScript("Import-Module '$(Get-ModuleManifestPath)'; Invoke-BuildxBuild $builderArgument-Path '$ctx' -Output @{ type = 'cacheonly' } -Progress Quiet 3>`$null")
    $null = $shell.BeginInvoke()
    try {
        $deadline = [datetime]::UtcNow.AddSeconds(60)
        while (-not (& pgrep -f "sleep $marker") -and [datetime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 200 }
        $started = [bool](& pgrep -f "sleep $marker")
        $stopSeconds = $null
        if ($started) {
            $clock = [Diagnostics.Stopwatch]::StartNew()
            $shell.Stop()
            $stopSeconds = $clock.Elapsed.TotalSeconds
            $deadline = [datetime]::UtcNow.AddSeconds(10)
            while ((& pgrep -f "sleep $marker") -and [datetime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 200 }
        }
        [pscustomobject]@{ Started = $started; StopSeconds = $stopSeconds; StepSurvived = [bool](& pgrep -f "sleep $marker") }
    }
    finally {
        $shell.Dispose()
        Remove-Item $ctx -Recurse -Force -ErrorAction Ignore
    }
}

Export-ModuleMember -Function Get-RegistryManifest, New-ScratchPath, New-Context, New-OutputPath, Remove-TestScratch, Invoke-ChildPwsh, Invoke-StoppedBuild, Get-RepositoryRoot, Get-ModuleManifestPath, Get-EngineSocket, Invoke-EngineBuild,
    Invoke-EngineApi, Get-EngineContainer, Get-EngineVolume, Initialize-StandinImage, Enter-TestStore, Exit-TestStore,
    Remove-StandinNode, Get-StandinDriverOption, New-TestName, Start-TestRelay, Stop-TestRelay
