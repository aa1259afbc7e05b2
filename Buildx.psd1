@{
    # The one place the module version is written: MSBuild reads it for the assemblies,
    # and build.ps1 Package copies it into the published manifest.
    ModuleVersion        = '0.1.0'
    GUID                 = '4f6b7f0c-2f5e-4d6b-9a53-3f8d2c1b7e41'
    Author               = 'Buildx.PowerShell contributors'
    CompanyName          = 'Buildx.PowerShell'
    Copyright            = '(c) Buildx.PowerShell contributors. Apache-2.0.'
    Description          = 'docker buildx''s builder, driver and exporter model as PowerShell objects: drives BuildKit over gRPC without the docker CLI.'
    PowerShellVersion    = '7.4'
    CompatiblePSEditions = @('Core')

    # Points at the build output so that Import-Module ./Buildx.psd1 loads what build.ps1 Build produced.
    RootModule           = 'out/Buildx/Buildx.PowerShell.dll'
    FormatsToProcess     = @('module/Buildx.Format.ps1xml')
    TypesToProcess       = @('module/Buildx.Types.ps1xml')

    CmdletsToExport      = @(
        'Add-BuildxBuilderNode'
        'Clear-BuildxCache'
        'Export-BuildxBuilderManifest'
        'Get-BuildxBuilder'
        'Get-BuildxDiskUsage'
        'Invoke-BuildxBuild'
        'New-BuildxBuilder'
        'New-BuildxOutput'
        'Remove-BuildxBuilder'
        'Remove-BuildxBuilderNode'
        'Start-BuildxBuilder'
        'Stop-BuildxBuilder'
        'Use-BuildxBuilder'
    )
    FunctionsToExport    = @()
    AliasesToExport      = @()
    VariablesToExport    = @()

    PrivateData          = @{
        PSData = @{
            Tags         = @('buildx', 'buildkit', 'docker', 'container', 'build', 'kubernetes', 'oci', 'Linux', 'Windows', 'PSEdition_Core')
            ProjectUri   = 'https://github.com/buildx-powershell/Buildx.PowerShell'
            LicenseUri   = 'https://github.com/buildx-powershell/Buildx.PowerShell/blob/main/LICENSE'
            ReleaseNotes = 'Builder management in the store shared with docker buildx: New-BuildxBuilder, Add-/Remove-BuildxBuilderNode, Use-, Start-, Stop- and Remove-BuildxBuilder, Clear-BuildxCache; structured driver options; Get-BuildxBuilder -Bootstrap.'
        }
    }
}
