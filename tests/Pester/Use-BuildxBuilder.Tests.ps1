BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-ModuleManifestPath) -Force
    $store = Enter-TestStore -WithFixtures
    $engineKey = "unix://$(Get-EngineSocket)"
    $savedHost = $env:DOCKER_HOST

    function Read-Current { Get-Content (Join-Path $store 'current') -Raw | ConvertFrom-Json }

    # buildx files an endpoint's default under the first 20 hex digits of the SHA-256 of its key.
    $defaultsFile = Join-Path $store ('defaults/' + [Convert]::ToHexString([Security.Cryptography.SHA256]::HashData([Text.Encoding]::UTF8.GetBytes($engineKey))).Substring(0, 20).ToLowerInvariant())
}

AfterAll {
    $env:DOCKER_HOST = $savedHost
    Exit-TestStore
}

Describe 'Use-BuildxBuilder on a store buildx wrote' {
    It 'lists buildx''s builders, with the one buildx selected as current' {
        $builders = Get-BuildxBuilder -Timeout 3 -ErrorAction SilentlyContinue
        $builders.Name | Should -Be @('Empty', 'default', 'mybuilder', 'unicode')
        ($builders | Where-Object IsCurrent).Name | Should -Be 'mybuilder'
        ($builders | Where-Object Name -eq 'mybuilder').LastActivity | Should -Be ([DateTimeOffset]'2026-08-20T14:16:49Z')
    }

    It 'selects a builder for the current endpoint as buildx writes it' {
        Use-BuildxBuilder -Name unicode
        $current = Read-Current
        $current.Key | Should -Be $engineKey
        $current.Name | Should -Be 'unicode'
        $current.Global | Should -BeFalse
        (Get-Content (Join-Path $store 'current') -Raw) | Should -Be "{`"Key`":`"$engineKey`",`"Name`":`"unicode`",`"Global`":false}"
        $defaultsFile | Should -Not -Exist
        (Get-BuildxBuilder -Timeout 3 -ErrorAction SilentlyContinue | Where-Object IsCurrent).Name | Should -Be 'unicode'
    }

    It 'keeps a -Global selection when the endpoint changes' {
        Use-BuildxBuilder -Name Empty -Global
        (Read-Current).Global | Should -BeTrue
        $env:DOCKER_HOST = 'unix:///var/run/other.sock'
        try {
            (Get-BuildxBuilder -Name Empty).IsCurrent | Should -BeTrue
        }
        finally {
            $env:DOCKER_HOST = $savedHost
        }
    }

    It 'records a -Default that comes back when the selection is lost' {
        Use-BuildxBuilder -Name mybuilder -Default
        Get-Content $defaultsFile -Raw | Should -Be 'mybuilder'
        Set-Content (Join-Path $store 'current') '{"Key":"elsewhere","Name":"unicode","Global":false}' -NoNewline
        (Get-BuildxBuilder -Name mybuilder -Timeout 3 -ErrorAction SilentlyContinue).IsCurrent | Should -BeTrue
    }

    It 'clears the selection for the Docker context''s own builder, and returns it with -PassThru' {
        $builder = Use-BuildxBuilder -Name default -PassThru
        $builder.Name | Should -Be 'default'
        $builder.IsCurrent | Should -BeTrue
        (Read-Current).Name | Should -Be ''
    }

    It 'takes builder objects from the pipeline' {
        Get-BuildxBuilder -Name unicode -ErrorAction SilentlyContinue | Use-BuildxBuilder
        (Read-Current).Name | Should -Be 'unicode'
        Use-BuildxBuilder default
    }

    It 'refuses unknown builders and other contexts'' builders with stable ids' {
        { Use-BuildxBuilder -Name 'no-such-builder' } | Should -Throw -ErrorId 'BuilderNotFound,Buildx.PowerShell.Cmdlets.UseBuildxBuilderCommand'
        $env:DOCKER_CONTEXT = 'missing-context'
        try {
            { Use-BuildxBuilder -Name default } | Should -Throw -ErrorId 'DockerContextNotFound,Buildx.PowerShell.Cmdlets.UseBuildxBuilderCommand'
        }
        finally {
            Remove-Item Env:DOCKER_CONTEXT
        }
    }

    It 'writes nothing with -WhatIf' {
        $before = Get-Content (Join-Path $store 'current') -Raw
        Use-BuildxBuilder -Name mybuilder -WhatIf
        Get-Content (Join-Path $store 'current') -Raw | Should -Be $before
    }
}

Describe 'Use-BuildxBuilder with another Docker context' {
    BeforeAll {
        # A Docker config with a context named 'remote-ctx', so its builder exists but is not current.
        $dockerConfig = Join-Path $TestDrive 'docker'
        $hash = [Convert]::ToHexString([Security.Cryptography.SHA256]::HashData([Text.Encoding]::UTF8.GetBytes('remote-ctx'))).ToLowerInvariant()
        $meta = New-Item -ItemType Directory -Path (Join-Path $dockerConfig "contexts/meta/$hash") -Force
        Set-Content (Join-Path $meta 'meta.json') '{"Name":"remote-ctx","Metadata":{},"Endpoints":{"docker":{"Host":"unix:///var/run/remote.sock","SkipTLSVerify":false}}}'
        $savedConfig = $env:DOCKER_CONFIG
        $env:DOCKER_CONFIG = $dockerConfig
    }

    AfterAll { $env:DOCKER_CONFIG = $savedConfig }

    It 'says to switch Docker contexts instead' {
        { Use-BuildxBuilder -Name remote-ctx } | Should -Throw -ErrorId 'ContextBuilderNotSelectable,Buildx.PowerShell.Cmdlets.UseBuildxBuilderCommand' -ExpectedMessage '*docker context use remote-ctx*'
        { New-BuildxBuilder -Name remote-ctx } | Should -Throw -ErrorId 'BuilderNameIsContext,Buildx.PowerShell.Cmdlets.NewBuildxBuilderCommand'
    }
}
