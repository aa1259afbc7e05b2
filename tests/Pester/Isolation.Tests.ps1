# The module keeps its dependencies in its own AssemblyLoadContext. Each case runs in a fresh
# pwsh, because what matters is which assemblies a session already holds when the module arrives.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $tools = Join-Path (Get-RepositoryRoot) 'out/tools'
    $oldYaml = Get-ChildItem (Join-Path $tools 'yamldotnet') -Recurse -Filter YamlDotNet.dll | Where-Object FullName -like '*netstandard2.0*' | Select-Object -First 1
    $oldProtobuf = Get-ChildItem (Join-Path $tools 'google.protobuf') -Recurse -Filter Google.Protobuf.dll | Where-Object FullName -like '*net5.0*' | Select-Object -First 1

    function Invoke-IsolatedSession {
        param([Parameter(Mandatory)][string] $Script)
        $full = "`$ErrorActionPreference = 'Stop'`n" + $Script
        $output = Invoke-ChildPwsh -NoProfile -NonInteractive -Command $full 2>&1
        if ($LASTEXITCODE -ne 0) { throw "The child session failed: $($output -join "`n")" }
        ($output | Select-Object -Last 1) | ConvertFrom-Json
    }

    # What every case reports from inside the child session.
    $probe = @'
$builder = Get-BuildxBuilder -Name default -ErrorAction Stop
$yamlText = (New-Object YamlDotNet.Serialization.SerializerBuilder).Build().Serialize(@{ answer = 42 })
$stamp = [Google.Protobuf.WellKnownTypes.Timestamp]::FromDateTime([datetime]::SpecifyKind([datetime]'2020-01-01', 'Utc'))
$bytes = [Google.Protobuf.MessageExtensions]::ToByteArray($stamp)
$byContext = [System.Runtime.Loader.AssemblyLoadContext]::All | ForEach-Object {
    $context = $_
    $_.Assemblies | Where-Object { $_.GetName().Name -in 'YamlDotNet', 'Google.Protobuf', 'Buildx.Core' } |
        ForEach-Object { [pscustomobject]@{ Context = $context.Name; Name = $_.GetName().Name; Version = $_.GetName().Version.ToString() } }
}
[pscustomobject]@{
    Status     = $builder.Nodes[0].Status.ToString()
    Platforms  = $builder.Nodes[0].Platforms
    Yaml       = $yamlText.Trim()
    ProtoBytes = $bytes.Length
    Loaded     = @($byContext)
} | ConvertTo-Json -Depth 4 -Compress
'@
}

Describe 'Dependency isolation' {
    It 'has the older assemblies to load first' {
        $oldYaml | Should -Not -BeNullOrEmpty
        $oldProtobuf | Should -Not -BeNullOrEmpty
    }

    It 'works when older YamlDotNet and Google.Protobuf were loaded before the module' {
        $result = Invoke-IsolatedSession -Script @"
Add-Type -Path '$($oldYaml.FullName)'
Add-Type -Path '$($oldProtobuf.FullName)'
Import-Module '$(Get-ModuleManifestPath)'
$probe
"@
        # The module reached BuildKit over gRPC with its own Protobuf...
        $result.Status | Should -Be 'Running'
        $result.Platforms | Should -Contain 'linux/amd64'
        $moduleProtobuf = $result.Loaded | Where-Object { $_.Context -eq 'Buildx' -and $_.Name -eq 'Google.Protobuf' }
        $moduleProtobuf.Version | Should -BeLike '3.36.*'
        ($result.Loaded | Where-Object { $_.Context -eq 'Buildx' -and $_.Name -eq 'Buildx.Core' }) | Should -Not -BeNullOrEmpty
        # ...while the session's older copies stayed in use and kept working.
        ($result.Loaded | Where-Object { $_.Context -eq 'Default' -and $_.Name -eq 'Google.Protobuf' }).Version | Should -BeLike '3.21.*'
        ($result.Loaded | Where-Object { $_.Context -eq 'Default' -and $_.Name -eq 'YamlDotNet' }).Version | Should -BeLike '13.*'
        $result.Yaml | Should -Be 'answer: 42'
        $result.ProtoBytes | Should -BeGreaterThan 0
    }

    It 'lets older versions load after the module too' {
        $result = Invoke-IsolatedSession -Script @"
Import-Module '$(Get-ModuleManifestPath)'
`$null = Get-BuildxBuilder -Name default -ErrorAction Stop
Add-Type -Path '$($oldYaml.FullName)'
Add-Type -Path '$($oldProtobuf.FullName)'
$probe
"@
        $result.Status | Should -Be 'Running'
        ($result.Loaded | Where-Object { $_.Context -eq 'Default' -and $_.Name -eq 'Google.Protobuf' }).Version | Should -BeLike '3.21.*'
        ($result.Loaded | Where-Object { $_.Context -eq 'Buildx' -and $_.Name -eq 'Google.Protobuf' }).Version | Should -BeLike '3.36.*'
        $result.Yaml | Should -Be 'answer: 42'
    }

    It 'never puts its own dependencies into the default load context' {
        $result = Invoke-IsolatedSession -Script @"
Import-Module '$(Get-ModuleManifestPath)'
`$null = Get-BuildxBuilder -Name default -ErrorAction Stop
[pscustomobject]@{ Default = @([System.Runtime.Loader.AssemblyLoadContext]::Default.Assemblies | ForEach-Object { `$_.GetName().Name }) } | ConvertTo-Json -Compress
"@
        $result.Default | Should -Not -Contain 'Google.Protobuf'
        $result.Default | Should -Not -Contain 'Grpc.Net.Client'
        $result.Default | Should -Not -Contain 'Buildx.Core'
        $result.Default | Should -Contain 'Buildx.PowerShell'
    }
}
