# The main job, as a user runs it: import the module and look at the default builder.
# (Builds join this demo with Invoke-BuildxBuild.)
$ErrorActionPreference = 'Stop'
Import-Module (Join-Path $PSScriptRoot '../Buildx.psd1')

Write-Host '# Get-BuildxBuilder' -ForegroundColor Cyan
Get-BuildxBuilder | Format-Table | Out-Host

$current = Get-BuildxBuilder | Where-Object IsCurrent
Write-Host "# The current builder is '$($current.Name)' ($($current.Driver) driver), building for: $($current.Nodes.Platforms -join ', ')" -ForegroundColor Cyan

Write-Host '# Get-BuildxDiskUsage (largest first)' -ForegroundColor Cyan
$records = Get-BuildxDiskUsage
$records | Sort-Object Size -Descending | Select-Object -First 10 | Format-Table | Out-Host
'{0} cache records, {1:N1} kB in all, {2:N1} kB reclaimable' -f @($records).Count,
    (($records | Measure-Object Size -Sum).Sum / 1KB),
    ((@($records | Where-Object Reclaimable) | Measure-Object Size -Sum).Sum / 1KB)
