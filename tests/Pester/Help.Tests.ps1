BeforeDiscovery {
    $manifestPath = Join-Path $PSScriptRoot '../../Buildx.psd1'
    $cmdletNames = (Import-PowerShellDataFile -Path $manifestPath).CmdletsToExport
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Join-Path (Get-RepositoryRoot) 'build/HelpCompiler.psm1') -Force
    Import-Module (Get-ModuleManifestPath) -Force
}

Describe 'Help for <_>' -ForEach $cmdletNames {
    BeforeAll {
        $name = $_
        $command = Get-Command $name
        $page = Join-Path (Get-RepositoryRoot) "docs/$name.md"
        $help = Get-Help $name -Full
    }

    It 'has a page in docs that documents every parameter' {
        $page | Should -Exist
        Test-BuildxHelpPage -Path $page -Command $command | Should -BeNullOrEmpty
    }

    It 'shows a synopsis and a description through Get-Help' {
        $help.Synopsis | Should -Not -BeNullOrEmpty
        $help.Synopsis | Should -Not -BeLike "*$name*[[]*"
        ($help.Description | Out-String).Trim() | Should -Not -BeNullOrEmpty
    }

    It 'shows examples through Get-Help -Examples' {
        $examples = (Get-Help $name -Examples).Examples.Example
        @($examples).Count | Should -BeGreaterOrEqual 1
        $examples[0].Code | Should -Match $name.Split('-')[1]
    }

    It 'describes every parameter through Get-Help' {
        $common = [System.Management.Automation.PSCmdlet]::CommonParameters + [System.Management.Automation.PSCmdlet]::OptionalCommonParameters
        foreach ($parameter in $command.Parameters.Keys | Where-Object { $_ -notin $common }) {
            $parameterHelp = Get-Help $name -Parameter $parameter
            ($parameterHelp.Description | Out-String).Trim() | Should -Not -BeNullOrEmpty -Because "-$parameter needs a description"
        }
    }
}

Describe 'about_Buildx' {
    It 'is found by Get-Help' {
        $topic = Get-Help about_Buildx | Out-String
        $topic | Should -Match 'about_Buildx'
        $topic | Should -Match 'Get-BuildxBuilder'
    }
}
