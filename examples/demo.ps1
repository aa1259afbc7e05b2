# The main job, as a user runs it: build the repository's example with the default builder and
# look at the result, the builder and its cache.
$ErrorActionPreference = 'Stop'
Import-Module (Join-Path $PSScriptRoot '../Buildx.psd1')
$example = Join-Path $PSScriptRoot 'hello'
$out = Join-Path ([IO.Path]::GetTempPath()) 'buildx-demo-out'

Write-Host '# Get-BuildxBuilder' -ForegroundColor Cyan
Get-BuildxBuilder | Format-Table | Out-Host

Write-Host "# Invoke-BuildxBuild $example -Tag buildx-demo:latest  (the docker driver loads it into the engine)" -ForegroundColor Cyan
$image = Invoke-BuildxBuild -Path $example -Tag 'buildx-demo:latest' -BuildArg @{ GREETING = 'hello' } -Progress Plain
$image | Format-List Builder, Node, Ref, ImageNames, Duration, StepCount, CachedStepCount | Out-Host

Write-Host "# Invoke-BuildxBuild $example -Target artifacts -Output @{ type='local'; dest='$out' }" -ForegroundColor Cyan
Remove-Item $out -Recurse -Force -ErrorAction Ignore
$files = Invoke-BuildxBuild -Path $example -Target artifacts -Output @{ type = 'local'; dest = $out } -Progress Quiet
$files | Format-List Outputs, Duration, StepCount, CachedStepCount | Out-Host
Get-ChildItem $out | Format-Table Mode, Length, Name | Out-Host
Get-Content (Join-Path $out 'built.txt') | Out-Host

Write-Host '# Get-BuildxDiskUsage (largest first)' -ForegroundColor Cyan
$records = Get-BuildxDiskUsage
$records | Sort-Object Size -Descending | Select-Object -First 5 | Format-Table | Out-Host
'{0} cache records, {1:N1} kB in all' -f @($records).Count, (($records | Measure-Object Size -Sum).Sum / 1KB)
