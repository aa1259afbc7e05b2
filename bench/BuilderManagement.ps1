<#
.SYNOPSIS
    Times Import-Module and Get-BuildxBuilder, each beside a yardstick measured in the same run.
.DESCRIPTION
    Import-Module: a fresh pwsh per sample; the yardstick is the same fresh pwsh importing nothing.
    Get-BuildxBuilder: a warm session listing the default builder plus 10 stored builders with
    their statuses loaded; the yardstick is one Engine API round trip (GET /_ping) per builder.
#>
param([int] $Samples = 7)
$ErrorActionPreference = 'Stop'
$root = Split-Path $PSScriptRoot -Parent
$manifest = Join-Path $root 'Buildx.psd1'

function Invoke-ChildPwsh {
    param([string[]] $Arguments)
    $process = [Environment]::ProcessPath
    if ([IO.Path]::GetFileNameWithoutExtension($process) -eq 'dotnet') {
        & $process (Join-Path $PSHOME 'pwsh.dll') @Arguments
    }
    else {
        & $process @Arguments
    }
}

function Get-Median([double[]] $values) {
    $sorted = $values | Sort-Object
    $sorted[[int][math]::Floor($sorted.Count / 2)]
}

# Import-Module in a fresh process, timed inside it so process start-up does not count.
$import = 1..$Samples | ForEach-Object {
    [double](Invoke-ChildPwsh @('-NoProfile', '-NonInteractive', '-Command', "(Measure-Command { Import-Module '$manifest' }).TotalMilliseconds"))
}
$empty = 1..$Samples | ForEach-Object {
    [double](Invoke-ChildPwsh @('-NoProfile', '-NonInteractive', '-Command', '(Measure-Command { Import-Module Microsoft.PowerShell.Utility -Force }).TotalMilliseconds'))
}

# A store with 10 docker-container builders whose containers do not exist: their status (inactive)
# comes from the engine, as buildx ls would load it.
$store = Join-Path ([IO.Path]::GetTempPath()) ("buildx-bench-store-" + [guid]::NewGuid().ToString('N'))
$env:BUILDX_CONFIG = $store
try {
    Import-Module $manifest
    1..10 | ForEach-Object { $null = New-BuildxBuilder -Name "bench$_" -Driver docker-container -DriverOption @{ image = 'buildx-test/buildkit-standin:latest' } -WarningAction SilentlyContinue -ErrorAction SilentlyContinue }
    $count = @(Get-BuildxBuilder).Count
    $null = Get-BuildxBuilder
    $list = 1..$Samples | ForEach-Object { (Measure-Command { $null = Get-BuildxBuilder }).TotalMilliseconds }
    $socket = if ($env:DOCKER_HOST -like 'unix://*') { $env:DOCKER_HOST.Substring(7) } else { '/var/run/docker.sock' }
    $ping = 1..$Samples | ForEach-Object {
        (Measure-Command { 1..$count | ForEach-Object { $null = Invoke-WebRequest -UnixSocket $socket -Uri 'http://engine/_ping' } }).TotalMilliseconds
    }
}
finally {
    Remove-Item $store -Recurse -Force -ErrorAction Ignore
}

$importMs = Get-Median $import
$emptyMs = Get-Median $empty
$listMs = Get-Median $list
$pingMs = Get-Median $ping
'{0,-52} {1,9} {2,12} {3,8}' -f 'case', 'median', 'yardstick', 'ratio'
'{0,-52} {1,7:N0}ms {2,10:N0}ms {3,7:N1}x' -f 'Import-Module Buildx (target 300 ms)', $importMs, $emptyMs, ($importMs / [math]::Max($emptyMs, 0.001))
'{0,-52} {1,7:N0}ms {2,10:N0}ms {3,7:N1}x' -f "Get-BuildxBuilder, $count builders (target 250 ms)", $listMs, $pingMs, ($listMs / [math]::Max($pingMs, 0.001))
