BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-ModuleManifestPath) -Force
    $savedHost = $env:DOCKER_HOST
}


Describe 'Get-BuildxBuilder against the real engine' {
    It 'returns the default builder running on linux/amd64' {
        $builder = Get-BuildxBuilder -Name default -ErrorAction Stop
        $builder.GetType().FullName | Should -Be 'Buildx.Core.Builders.Builder'
        $builder.Driver | Should -Be 'docker'
        $builder.IsCurrent | Should -BeTrue
        $builder.IsDockerContext | Should -BeTrue
        $builder.Nodes.Count | Should -Be 1
        $node = $builder.Nodes[0]
        $node.Name | Should -Be 'default'
        $node.Endpoint | Should -Be 'default'
        $node.Status | Should -Be 'Running'
        $node.Platforms | Should -Contain 'linux/amd64'
        $node.WorkerIds | Should -Be @('moby')
        $node.BuildkitVersion | Should -Not -BeNullOrEmpty
    }

    It 'reports the BuildKit version the engine version implies where Info is unimplemented' {
        $engine = Invoke-RestMethod -UnixSocket (Get-EngineSocket) -Uri 'http://engine/version'
        $builder = Get-BuildxBuilder -Name default
        # The core's types live in the module's own load context, so reach them through an object.
        $map = $builder.GetType().Assembly.GetType('Buildx.Core.Drivers.EngineBuildkitVersion')
        $builder.Nodes[0].BuildkitVersion | Should -Be $map::FromEngineVersion($engine.Version)
    }

    It 'matches names with wildcards' {
        (Get-BuildxBuilder -Name 'def*').Name | Should -Be 'default'
        Get-BuildxBuilder -Name 'zz*' | Should -BeNullOrEmpty
    }

    It 'takes builder objects from the pipeline' {
        (Get-BuildxBuilder -Name default | Get-BuildxBuilder).Name | Should -Be 'default'
    }

    It 'writes BuilderNotFound for an unknown name' {
        $result = Get-BuildxBuilder -Name 'no-such-builder' -ErrorVariable problems -ErrorAction SilentlyContinue
        $result | Should -BeNullOrEmpty
        $problems[0].FullyQualifiedErrorId | Should -Be 'BuilderNotFound,Buildx.PowerShell.Cmdlets.GetBuildxBuilderCommand'
        $problems[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $problems[0].Exception.Message | Should -Match 'default'
    }

    It 'formats like docker buildx ls' {
        $text = Get-BuildxBuilder -Name default | Format-Table | Out-String -Width 200
        $text | Should -Match 'NAME/NODE\s+DRIVER/ENDPOINT\s+STATUS\s+BUILDKIT\s+PLATFORMS'
        $text | Should -Match 'default\*\s+docker'
        $text | Should -Match '\\_ default\s+\\_ default\s+running'
        $text | Should -Match 'linux/amd64'
    }

    It 'converts to clean JSON' {
        $json = Get-BuildxBuilder -Name default | ConvertTo-Json -Depth 5 -EnumsAsStrings
        $back = $json | ConvertFrom-Json
        $back.Name | Should -Be 'default'
        $back.Nodes[0].Status | Should -Be 'Running'
        $back.Nodes[0].Platforms | Should -Contain 'linux/amd64'
        $json | Should -Not -Match 'PSComputerName|Dialer|Channel'
    }

    It 'accepts durations as seconds, Go durations and TimeSpans' {
        (Get-BuildxBuilder -Name default -Timeout 10).Name | Should -Be 'default'
        (Get-BuildxBuilder -Name default -Timeout '1m30s').Name | Should -Be 'default'
        (Get-BuildxBuilder -Name default -Timeout ([timespan]::FromSeconds(15))).Name | Should -Be 'default'
        { Get-BuildxBuilder -Timeout 'soon' } | Should -Throw -ErrorId 'ParameterArgumentTransformationError,Buildx.PowerShell.Cmdlets.GetBuildxBuilderCommand'
    }
}

Describe 'Get-BuildxBuilder when the engine is unreachable' {
    AfterEach { $env:DOCKER_HOST = $savedHost }

    It 'returns the builder with an Error status and an EngineUnreachable error within 5 s' {
        $socket = Join-Path ([IO.Path]::GetTempPath()) "absent-$([guid]::NewGuid().ToString('N')).sock"
        $env:DOCKER_HOST = "unix://$socket"
        $clock = [Diagnostics.Stopwatch]::StartNew()
        $builder = Get-BuildxBuilder -Name default -ErrorVariable problems -ErrorAction SilentlyContinue
        $clock.Elapsed.TotalSeconds | Should -BeLessThan 5
        $builder.Nodes[0].Status | Should -Be 'Error'
        $builder.Nodes[0].ErrorId | Should -Be 'EngineUnreachable'
        $problems[0].FullyQualifiedErrorId | Should -Be 'EngineUnreachable,Buildx.PowerShell.Cmdlets.GetBuildxBuilderCommand'
        $problems[0].CategoryInfo.Category | Should -Be 'ConnectionError'
        $problems[0].Exception.Message | Should -Match ([regex]::Escape($socket))
        $problems[0].Exception.Message | Should -Match 'DOCKER_HOST'
    }

    It 'is terminating with -ErrorAction Stop' {
        $env:DOCKER_HOST = 'unix:///nonexistent/docker.sock'
        { Get-BuildxBuilder -Name default -ErrorAction Stop } | Should -Throw -ErrorId 'EngineUnreachable,Buildx.PowerShell.Cmdlets.GetBuildxBuilderCommand'
    }

    It 'rejects a DOCKER_HOST it cannot use with a terminating error that lists what works' {
        $env:DOCKER_HOST = 'ssh://user@somewhere'
        $failure = { Get-BuildxBuilder } | Should -Throw -ErrorId 'UnsupportedDockerHostScheme,Buildx.PowerShell.Cmdlets.GetBuildxBuilderCommand' -PassThru
        $failure.Exception.Message | Should -Match 'unix://'
        $failure.CategoryInfo.Category | Should -Be 'InvalidArgument'
    }
}
