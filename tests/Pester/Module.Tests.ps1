BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $manifestPath = Get-ModuleManifestPath
    $manifest = Test-ModuleManifest -Path $manifestPath
    $data = Import-PowerShellDataFile -Path $manifestPath
    Import-Module $manifestPath -Force
    $module = Get-Module Buildx
}

Describe 'The module manifest' {
    It 'is valid and targets PowerShell 7.4 Core' {
        $manifest.Name | Should -Be 'Buildx'
        $data.CompatiblePSEditions | Should -Be @('Core')
        $data.PowerShellVersion | Should -Be '7.4'
    }

    It 'exports exactly the cmdlets it lists' {
        $listed = $data.CmdletsToExport | Sort-Object
        $exported = $module.ExportedCmdlets.Keys | Sort-Object
        $exported | Should -Be $listed
        $data.CmdletsToExport | Should -Not -Contain '*'
    }

    It 'carries the Gallery metadata' {
        $psData = $data.PrivateData.PSData
        $psData.Tags | Should -Contain 'buildkit'
        $psData.ProjectUri | Should -Match '^https://'
        $psData.LicenseUri | Should -Match '^https://'
        $psData.ReleaseNotes | Should -Not -BeNullOrEmpty
    }

    It 'stamps the assemblies with the manifest version' {
        $assembly = [Buildx.PowerShell.Cmdlets.BuildxCmdlet].Assembly.GetName()
        $assembly.Version.ToString(3) | Should -Be $data.ModuleVersion
        $core = (Get-BuildxBuilder -Name default).GetType().Assembly.GetName()
        $core.Version.ToString(3) | Should -Be $data.ModuleVersion
    }

    It 'loads from the build output, with its dependencies in their own load context' {
        $module.ModuleBase | Should -Be (Get-RepositoryRoot)
        [Buildx.PowerShell.Cmdlets.BuildxCmdlet].Assembly.Location | Should -BeLike '*out*Buildx*Buildx.PowerShell.dll'
        $coreAssembly = (Get-BuildxBuilder -Name default).GetType().Assembly
        $coreContext = [System.Runtime.Loader.AssemblyLoadContext]::GetLoadContext($coreAssembly)
        $coreContext.Name | Should -Be 'Buildx'
        $coreContext | Should -Not -Be ([System.Runtime.Loader.AssemblyLoadContext]::Default)
    }
}

Describe 'Type names for scripts' {
    It 'resolves the core''s result types by their full names, although they live in the module''s own load context' {
        $builder = Get-BuildxBuilder -Name default
        $builder -is [Buildx.Core.Builders.Builder] | Should -BeTrue
        $builder.Nodes[0] -is [Buildx.Core.Builders.BuilderNode] | Should -BeTrue
        [Buildx.Core.Builders.NodeStatus]::Running | Should -Be $builder.Nodes[0].Status
        [Buildx.Core.Builds.BuildResult].Assembly | Should -Be $builder.GetType().Assembly
        [Buildx.Core.BuildKit.DiskUsageRecord].FullName | Should -Be 'Buildx.Core.BuildKit.DiskUsageRecord'
    }
}

Describe 'PowerShell conventions' {
    BeforeAll {
        $cmdlets = Get-Command -Module Buildx -CommandType Cmdlet
        $approved = (Get-Verb).Verb
    }

    It 'uses approved verbs' {
        $cmdlets | Where-Object { $_.Verb -notin $approved } | Should -BeNullOrEmpty
    }

    It 'declares an output type on every cmdlet' {
        $cmdlets | Where-Object { -not $_.OutputType } | ForEach-Object Name | Should -BeNullOrEmpty
    }

    It 'supports ShouldProcess on every cmdlet that changes state' {
        $changing = 'New', 'Remove', 'Set', 'Start', 'Stop', 'Use', 'Add', 'Clear', 'Invoke', 'Export', 'Register', 'Unregister'
        # New-BuildxOutput only builds an in-memory spec (like New-Object): nothing to confirm.
        $inMemoryOnly = 'New-BuildxOutput'
        $cmdlets | Where-Object { $_.Verb -in $changing -and $_.Name -notin $inMemoryOnly -and -not $_.Parameters.ContainsKey('WhatIf') } |
            ForEach-Object Name | Should -BeNullOrEmpty
    }

    It 'offers completion for builder names' {
        $result = TabExpansion2 -inputScript 'Get-BuildxBuilder -Name def' -cursorColumn 'Get-BuildxBuilder -Name def'.Length
        $result.CompletionMatches.CompletionText | Should -Contain 'default'
        $result = TabExpansion2 -inputScript 'Get-BuildxDiskUsage -Builder ' -cursorColumn 'Get-BuildxDiskUsage -Builder '.Length
        $result.CompletionMatches.CompletionText | Should -Contain 'default'
        $result = TabExpansion2 -inputScript 'Remove-BuildxBuilder -Name def' -cursorColumn 'Remove-BuildxBuilder -Name def'.Length
        $result.CompletionMatches.CompletionText | Should -Contain 'default'
    }

    It 'offers completion for drivers and platforms' {
        $result = TabExpansion2 -inputScript 'New-BuildxBuilder -Driver ' -cursorColumn 'New-BuildxBuilder -Driver '.Length
        $result.CompletionMatches.CompletionText | Should -Be @('docker-container', 'kubernetes', 'remote')
        $result = TabExpansion2 -inputScript 'New-BuildxBuilder -Platform linux/arm' -cursorColumn 'New-BuildxBuilder -Platform linux/arm'.Length
        $result.CompletionMatches.CompletionText | Should -Contain 'linux/arm64'
        $result.CompletionMatches.CompletionText | Should -Contain 'linux/arm/v7'
    }

    It 'binds builder objects from the pipeline by Name on every builder cmdlet' {
        foreach ($name in 'Add-BuildxBuilderNode', 'Clear-BuildxCache', 'Get-BuildxBuilder', 'Remove-BuildxBuilder', 'Remove-BuildxBuilderNode',
            'Start-BuildxBuilder', 'Stop-BuildxBuilder', 'Use-BuildxBuilder') {
            $parameter = (Get-Command $name).Parameters.Values | Where-Object { $_.Name -eq 'Name' -or $_.Aliases -contains 'Name' }
            $parameter.Attributes.Where({ $_ -is [System.Management.Automation.ParameterAttribute] }).ValueFromPipelineByPropertyName | Should -Contain $true -Because $name
        }
    }
}
