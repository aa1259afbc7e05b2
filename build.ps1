#!/usr/bin/env pwsh
<#
.SYNOPSIS
    Builds, documents, tests and packages Buildx.PowerShell.

.DESCRIPTION
    Tasks:
      Bootstrap  installs and starts what the tests need (Docker engine, registries, busybox base image)
      Build      compiles the solution and lays the module out under out/Buildx (Import-Module ./Buildx.psd1)
      Docs       turns docs/*.md (platyPS format) into MAML and about_ help under out/Buildx/en-US
      Test       Bootstrap + Build + Docs, then xunit and Pester; ends with 'N passed, N failed, N skipped'
      Demo       the main job: builds the example with the default builder and shows the result
      Bench      benchmarks (context transfer), each figure beside a yardstick measured in the same run
      Package    assembles a publishable module folder under out/package/Buildx/<version>
      Teardown   stops what Bootstrap started (and nothing else)

.EXAMPLE
    dotnet tool restore; dotnet pwsh ./build.ps1 Test
#>
[CmdletBinding()]
param(
    [Parameter(Position = 0)]
    [ValidateSet('Bootstrap', 'Build', 'Docs', 'Test', 'Demo', 'Bench', 'Package', 'Teardown')]
    [string[]] $Task = @('Build'),

    [ValidateSet('Debug', 'Release')]
    [string] $Configuration = 'Release',

    # Passed to the benchmark, e.g. -BenchArgs '--cases','ab','--chunk-size','262144'.
    [string[]] $BenchArgs = @()
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest
$InformationPreference = 'Continue'

$Root = $PSScriptRoot
$Out = Join-Path $Root 'out'
$ModuleOut = Join-Path $Out 'Buildx'
$StateRoot = Join-Path $Root '.state'

Import-Module (Join-Path $Root 'build/TestPeers.psm1') -Force
Import-Module (Join-Path $Root 'build/HelpCompiler.psm1') -Force

function Invoke-Native {
    # Runs a native command and stops the build when it fails.
    param([Parameter(Mandatory)][string] $Command, [string[]] $Arguments = @())
    & $Command @Arguments
    if ($LASTEXITCODE -ne 0) { throw "'$Command $($Arguments -join ' ')' failed with exit code $LASTEXITCODE." }
}

function Invoke-ChildPwsh {
    # A fresh PowerShell of the same version as this one. Run as a .NET tool, this process is
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

function Get-ModuleVersion {
    (Import-PowerShellDataFile (Join-Path $Root 'Buildx.psd1')).ModuleVersion
}

function Invoke-BootstrapTask {
    param([string] $StateDir = (Join-Path $StateRoot 'bootstrap'))
    $peers = Start-BuildxTestPeers -StateDir $StateDir
    Write-Information "Test peers ready: engine $($peers.DockerHost), registry $($peers.Registry), auth registry $($peers.AuthRegistry), base image $($peers.BaseImage)."
    $peers
}

function Invoke-BuildTask {
    Invoke-Native dotnet @('build', (Join-Path $Root 'Buildx.PowerShell.sln'), '-c', $Configuration, '--nologo', '-v', 'quiet')

    # The module layout: the cmdlet assembly at the top, everything it loads into its own
    # AssemblyLoadContext under Dependencies/ where PowerShell's default probing cannot see it.
    $publish = Join-Path $Out 'publish'
    Remove-Item $publish -Recurse -Force -ErrorAction Ignore
    Invoke-Native dotnet @('publish', (Join-Path $Root 'src/Buildx.PowerShell/Buildx.PowerShell.csproj'), '-c', $Configuration, '-o', $publish, '--nologo', '-v', 'quiet', '--no-build')

    Remove-Item $ModuleOut -Recurse -Force -ErrorAction Ignore
    $dependencies = New-Item -ItemType Directory -Path (Join-Path $ModuleOut 'Dependencies') -Force
    foreach ($file in Get-ChildItem $publish -File | Where-Object Extension -ne '.json') {
        $target = if ($file.BaseName -eq 'Buildx.PowerShell') { $ModuleOut } else { $dependencies.FullName }
        Copy-Item $file.FullName -Destination $target
    }
    Write-Information "Module laid out in $ModuleOut"
}

function Invoke-DocsTask {
    # PowerShell looks for help beside the manifest (the module base): en-US/ next to Buildx.psd1
    # serves Import-Module ./Buildx.psd1, and out/Buildx/en-US goes into the package.
    foreach ($base in $Root, $ModuleOut) {
        $helpDir = New-Item -ItemType Directory -Path (Join-Path $base 'en-US') -Force
        ConvertTo-BuildxMaml -DocsPath (Join-Path $Root 'docs') -OutputPath (Join-Path $helpDir 'Buildx.PowerShell.dll-Help.xml')
        ConvertTo-BuildxAboutHelp -DocsPath (Join-Path $Root 'docs') -OutputPath $helpDir.FullName
        Write-Information "Help written to $helpDir"
    }
}

function Get-PesterModulePath {
    $packages = Join-Path $Out 'tools'
    Invoke-Native dotnet @('restore', (Join-Path $Root 'build/TestTools/TestTools.Restore.csproj'), '--packages', $packages, '--nologo', '-v', 'quiet')
    $manifest = Get-ChildItem (Join-Path $packages 'pester') -Recurse -Filter 'Pester.psd1' | Select-Object -First 1
    if (-not $manifest) { throw "Pester was not restored into $packages." }
    $manifest.FullName
}

function Invoke-XunitTests {
    $results = Join-Path $Out 'test-results'
    Remove-Item (Join-Path $results 'xunit.trx') -ErrorAction Ignore
    # A test that hangs is ended and named after 8 minutes, rather than holding CI to its limit.
    & dotnet test (Join-Path $Root 'tests/Buildx.Core.Tests/Buildx.Core.Tests.csproj') -c $Configuration --no-build --nologo `
        --logger 'trx;LogFileName=xunit.trx' --logger 'console;verbosity=normal' --results-directory $results `
        --blame-hang --blame-hang-timeout 8m --blame-hang-dump-type none | Out-Host
    $exitCode = $LASTEXITCODE
    $trx = Join-Path $results 'xunit.trx'
    if (-not (Test-Path $trx)) { throw "xunit wrote no results ($trx)." }
    $run = [xml](Get-Content $trx -Raw)
    $counters = $run.TestRun.ResultSummary.Counters
    $result = [pscustomobject]@{
        Passed   = [int]$counters.passed
        Failed   = [int]$counters.failed + [int]$counters.error + [int]$counters.timeout + [int]$counters.aborted
        Skipped  = [int]$counters.total - [int]$counters.executed
        Failures = @($run.TestRun.Results.UnitTestResult | Where-Object outcome -NotIn 'Passed', 'NotExecuted' |
            ForEach-Object { "xunit: $($_.testName): $($_.Output.ErrorInfo.Message)" })
    }
    if ($exitCode -ne 0 -and $result.Failed -eq 0) {
        # An aborted run (a hung or crashed test host) counts no failure of its own.
        $result.Failed = 1
        $result.Failures += "xunit: the run was aborted with exit code $exitCode; the log above names the test that was running."
    }
    $result
}

function Invoke-PesterTests {
    param([Parameter(Mandatory)] $Peers)
    $pester = Get-PesterModulePath
    $resultFile = Join-Path $Out 'test-results/pester.json'
    Remove-Item $resultFile -ErrorAction Ignore
    # Pester runs in its own process so the module is imported fresh, as a user would.
    $script = {
        param($PesterPath, $TestPath, $ResultFile)
        Import-Module $PesterPath
        $config = New-PesterConfiguration
        $config.Run.Path = $TestPath
        $config.Run.PassThru = $true
        $config.Output.Verbosity = 'Detailed'
        $run = Invoke-Pester -Configuration $config
        $failures = @($run.Failed | ForEach-Object { "Pester: $($_.ExpandedPath): $($_.ErrorRecord | Select-Object -First 1)" }) +
            @($run.FailedBlocks + $run.FailedContainers | ForEach-Object { "Pester: $($_.Name): $($_.ErrorRecord | Select-Object -First 1)" })
        @{ Passed = $run.PassedCount; Failed = $run.FailedCount + $run.FailedBlocksCount + $run.FailedContainersCount; Skipped = $run.SkippedCount; Failures = $failures } |
            ConvertTo-Json | Set-Content $ResultFile
    }
    # A store of the tests' own, so a developer's builders are neither seen nor touched.
    $env:BUILDX_CONFIG = Join-Path $Out 'test-buildx'
    Remove-Item $env:BUILDX_CONFIG -Recurse -Force -ErrorAction Ignore
    $env:BUILDX_TEST_REGISTRY = $Peers.Registry
    $env:BUILDX_TEST_AUTH_REGISTRY = $Peers.AuthRegistry
    $env:BUILDX_TEST_BASE_IMAGE = $Peers.BaseImage
    Invoke-ChildPwsh -NoProfile -NonInteractive -Command "& { $script } '$pester' '$(Join-Path $Root 'tests/Pester')' '$resultFile'" | Out-Host
    if (-not (Test-Path $resultFile)) { throw 'Pester wrote no results.' }
    $counts = Get-Content $resultFile -Raw | ConvertFrom-Json
    [pscustomobject]@{ Passed = [int]$counts.Passed; Failed = [int]$counts.Failed; Skipped = [int]$counts.Skipped; Failures = @($counts.Failures) }
}

function Invoke-TestTask {
    $stateDir = Join-Path $StateRoot 'test-run'
    $peers = Invoke-BootstrapTask -StateDir $stateDir
    try {
        Invoke-BuildTask
        Invoke-DocsTask
        New-Item -ItemType Directory -Path (Join-Path $Out 'test-results') -Force | Out-Null
        $xunit = Invoke-XunitTests
        $pester = Invoke-PesterTests -Peers $peers
    }
    finally {
        # Stops only what this run started; a running engine that was there before stays.
        Stop-BuildxTestPeers -StateDir $stateDir
    }
    Write-Information "xunit: $($xunit.Passed) passed, $($xunit.Failed) failed, $($xunit.Skipped) skipped; Pester: $($pester.Passed) passed, $($pester.Failed) failed, $($pester.Skipped) skipped"
    $failed = $xunit.Failed + $pester.Failed
    # Failures are repeated here, at the end, where a truncated CI log still shows them.
    foreach ($failure in @($xunit.Failures) + @($pester.Failures)) {
        if (-not $failure) { continue }
        $line = $failure -replace '\s+', ' '
        Write-Information "FAILED $($line.Substring(0, [Math]::Min($line.Length, 600)))"
    }
    # The closing line CI reads: totals of both runners.
    Write-Output "$($xunit.Passed + $pester.Passed) passed, $failed failed, $($xunit.Skipped + $pester.Skipped) skipped"
    if ($failed -gt 0) { exit 1 }
}

function Invoke-DemoTask {
    Invoke-BootstrapTask | Out-Null
    Invoke-BuildTask
    Invoke-DocsTask
    Invoke-ChildPwsh -NoProfile -NonInteractive -File (Join-Path $Root 'examples/demo.ps1')
    if ($LASTEXITCODE -ne 0) { throw "The demo failed with exit code $LASTEXITCODE." }
}

function Invoke-BenchTask {
    Invoke-BootstrapTask | Out-Null
    Invoke-Native dotnet @('build', (Join-Path $Root 'bench/Buildx.Bench/Buildx.Bench.csproj'), '-c', 'Release', '--nologo', '-v', 'quiet')
    $bench = Join-Path $Root 'bench/Buildx.Bench/bin/Release/net10.0/Buildx.Bench.dll'
    Invoke-Native dotnet (@($bench) + $BenchArgs)
    Invoke-BuildTask
    Invoke-ChildPwsh -NoProfile -NonInteractive -File (Join-Path $Root 'bench/BuilderManagement.ps1')
    if ($LASTEXITCODE -ne 0) { throw "The builder-management benchmark failed with exit code $LASTEXITCODE." }
}

function Invoke-PackageTask {
    Invoke-BuildTask
    Invoke-DocsTask
    $version = Get-ModuleVersion
    $target = Join-Path $Out "package/Buildx/$version"
    Remove-Item $target -Recurse -Force -ErrorAction Ignore
    New-Item -ItemType Directory -Path $target -Force | Out-Null
    Copy-Item (Join-Path $ModuleOut '*') -Destination $target -Recurse
    Copy-Item (Join-Path $Root 'module/*') -Destination $target -Recurse

    # The published manifest points next to itself instead of at the build output.
    $manifest = Get-Content (Join-Path $Root 'Buildx.psd1') -Raw
    $manifest = $manifest -replace "RootModule\s*=\s*'[^']+'", "RootModule           = 'Buildx.PowerShell.dll'"
    $manifest = $manifest -replace "'module/", "'"
    Set-Content -Path (Join-Path $target 'Buildx.psd1') -Value $manifest -NoNewline
    $check = Test-ModuleManifest (Join-Path $target 'Buildx.psd1')
    Write-Information "Packaged $($check.Name) $($check.Version) in $target"
}

foreach ($name in $Task) {
    switch ($name) {
        'Bootstrap' { Invoke-BootstrapTask | Out-Null }
        'Build' { Invoke-BuildTask }
        'Docs' { Invoke-DocsTask }
        'Test' { Invoke-TestTask }
        'Demo' { Invoke-DemoTask }
        'Bench' { Invoke-BenchTask }
        'Package' { Invoke-PackageTask }
        'Teardown' { Stop-BuildxTestPeers -StateDir (Join-Path $StateRoot 'bootstrap') }
    }
}
