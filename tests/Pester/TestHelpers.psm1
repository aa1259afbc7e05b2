# Shared by the Pester files: where things are, and a real build in the engine to fill the cache.

$script:RepositoryRoot = (Resolve-Path (Join-Path $PSScriptRoot '../..')).Path

function Get-RepositoryRoot { $script:RepositoryRoot }

function Get-ModuleManifestPath { Join-Path $script:RepositoryRoot 'Buildx.psd1' }

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

Export-ModuleMember -Function Invoke-ChildPwsh, Get-RepositoryRoot, Get-ModuleManifestPath, Get-EngineSocket, Invoke-EngineBuild
