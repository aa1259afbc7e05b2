# Outputs of Invoke-BuildxBuild against the real engine and registries: several outputs, a tarball
# through the pipeline, -Load checked through the Engine API, -Push with and without a login
# (-Credential, config.json, a credential helper on PATH).
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-ModuleManifestPath) -Force
    $baseImage = if ($env:BUILDX_TEST_BASE_IMAGE) { $env:BUILDX_TEST_BASE_IMAGE } else { 'buildx-test/busybox:latest' }
    $script:images = [Collections.Generic.List[string]]::new()

    function Read-TarEntry {
        param([byte[]] $Bytes, [string] $Name)
        $reader = [System.Formats.Tar.TarReader]::new([IO.MemoryStream]::new($Bytes))
        while ($entry = $reader.GetNextEntry()) {
            if ($entry.Name.TrimStart('.', '/') -eq $Name) { return [IO.StreamReader]::new($entry.DataStream).ReadToEnd() }
        }
    }
}

AfterAll {
    foreach ($image in $script:images) { $null = Invoke-EngineApi "images/${image}?force=1" -Method Delete }
    Remove-TestScratch
}

Describe 'Invoke-BuildxBuild outputs' {
    It 'exports a directory and a tarball in one call' {
        $ctx = New-Context "FROM scratch`nCOPY . /`n" @{ 'both.txt' = 'twice' }
        $a = Join-Path $TestDrive 'a'
        $b = Join-Path $TestDrive 'b.tar'

        $result = Invoke-BuildxBuild $ctx -Output @(@{ type = 'local'; dest = $a }, @{ type = 'tar'; dest = $b }) -Progress Quiet

        Get-Content (Join-Path $a 'both.txt') | Should -Be 'twice'
        Read-TarEntry ([IO.File]::ReadAllBytes($b)) 'both.txt' | Should -Be 'twice'
        $result.Exports.Exporter | Should -Be @('local', 'tar')
        $result.SolveCount | Should -Be 2
    }

    It 'takes New-BuildxOutput objects and CSV strings together' {
        $ctx = New-Context "FROM scratch`nCOPY . /`n" @{ 'mixed.txt' = 'mixed' }

        $result = Invoke-BuildxBuild $ctx -Output (New-BuildxOutput local (Join-Path $TestDrive 'm')), "type=tar,dest=$(Join-Path $TestDrive 'm.tar')" -Progress Quiet

        $result.Outputs | Should -HaveCount 2
        Get-Content (Join-Path $TestDrive 'm/mixed.txt') | Should -Be 'mixed'
    }

    It 'sends a tar stream through the pipeline with dest=-' {
        $ctx = New-Context "FROM scratch`nCOPY . /`n" @{ 'piped.txt' = 'down the pipeline' }

        $tar = [IO.MemoryStream]::new()
        $chunks = 0
        Invoke-BuildxBuild $ctx -Output '-' -Progress Quiet | ForEach-Object {
            # Each pipeline object is one chunk of the tarball, never a single byte.
            $_.GetType().FullName | Should -Be 'System.Byte[]'
            $tar.Write($_, 0, $_.Length)
            $chunks++
        }

        $chunks | Should -BeGreaterThan 0
        Read-TarEntry $tar.ToArray() 'piped.txt' | Should -Be 'down the pipeline'
    }

    It 'writes the piped tarball into a file with Set-Content -AsByteStream' {
        $ctx = New-Context "FROM scratch`nCOPY . /`n" @{ 'set.txt' = 'set-content' }
        $file = Join-Path $TestDrive 'piped.tar'

        Invoke-BuildxBuild $ctx -Output 'type=tar,dest=-' -Progress Quiet | Set-Content -Path $file -AsByteStream

        Read-TarEntry ([IO.File]::ReadAllBytes($file)) 'set.txt' | Should -Be 'set-content'
    }

    It 'loads into the engine with -Load' {
        $name = "buildx-pester-load-$([guid]::NewGuid().ToString('N').Substring(0, 8)):1"
        $script:images.Add($name)
        $ctx = New-Context "FROM $baseImage`nRUN echo loaded > /l.txt`n"

        $result = Invoke-BuildxBuild $ctx -Tag $name -Load -Progress Quiet

        (Invoke-EngineApi "images/$name/json").RepoTags | Should -Contain $name
        $result.Exports[0].Loaded | Should -BeTrue
    }

    It 'pushes to the anonymous registry with -Push' {
        $repo = "buildx-pester-push-$([guid]::NewGuid().ToString('N').Substring(0, 8))"
        $name = "127.0.0.1:5000/${repo}:1"
        $script:images.Add($name)
        $ctx = New-Context "FROM $baseImage`nRUN echo pushed > /p.txt`n"

        $result = Invoke-BuildxBuild $ctx -Tag $name -Push -Progress Quiet

        (Get-RegistryManifest 127.0.0.1:5000 $repo 1).Digest | Should -Match '^sha256:'
        $result.Exports[0].Pushed | Should -Be $name
    }

    It 'pushes to the login registry with -Credential, and fails cleanly without' {
        $repo = "buildx-pester-auth-$([guid]::NewGuid().ToString('N').Substring(0, 8))"
        $name = "127.0.0.1:5001/${repo}:1"
        $script:images.Add($name)
        $ctx = New-Context "FROM $baseImage`nRUN echo auth > /a.txt`n"
        $env:DOCKER_CONFIG = Join-Path $TestDrive 'empty-config'
        try {
            { Invoke-BuildxBuild $ctx -Tag $name -Push -Progress Quiet } | Should -Throw -ErrorId 'ImagePushFailed,*' -ExpectedMessage '*no basic auth credentials*'
            (Get-RegistryManifest 127.0.0.1:5001 $repo 1 -Authenticate).Digest | Should -BeNullOrEmpty

            $login = [pscredential]::new('buildx', (ConvertTo-SecureString 'buildx-test-pass' -AsPlainText -Force))
            $null = Invoke-BuildxBuild $ctx -Tag $name -Push -Credential @{ '127.0.0.1:5001' = $login } -Progress Quiet

            (Get-RegistryManifest 127.0.0.1:5001 $repo 1 -Authenticate).Digest | Should -Match '^sha256:'
        }
        finally { Remove-Item Env:DOCKER_CONFIG }
    }

    It 'pushes with the login from a credential helper named in config.json' {
        $repo = "buildx-pester-helper-$([guid]::NewGuid().ToString('N').Substring(0, 8))"
        $name = "127.0.0.1:5001/${repo}:1"
        $script:images.Add($name)
        $bin = Join-Path $TestDrive 'bin'
        New-Item -ItemType Directory $bin | Out-Null
        # A real helper executable speaking the protocol: `get` reads the server on stdin.
        $helper = Join-Path $bin 'docker-credential-pestertest'
        Set-Content $helper "#!/bin/sh`nread -r server`nif [ `"`$server`" = 127.0.0.1:5001 ]; then echo '{`"ServerURL`":`"127.0.0.1:5001`",`"Username`":`"buildx`",`"Secret`":`"buildx-test-pass`"}'; else echo 'credentials not found in native keychain'; exit 1; fi`n" -NoNewline
        & chmod 0755 $helper
        $config = Join-Path $TestDrive 'helper-config'
        New-Item -ItemType Directory $config | Out-Null
        @{ credHelpers = @{ '127.0.0.1:5001' = 'pestertest' } } | ConvertTo-Json | Set-Content (Join-Path $config 'config.json')
        $ctx = New-Context "FROM $baseImage`nRUN echo helper > /h.txt`n"
        $env:DOCKER_CONFIG = $config
        $path = $env:PATH
        $env:PATH = "$bin$([IO.Path]::PathSeparator)$path"
        try {
            $null = Invoke-BuildxBuild $ctx -Tag $name -Push -Progress Quiet
        }
        finally { $env:PATH = $path; Remove-Item Env:DOCKER_CONFIG }

        (Get-RegistryManifest 127.0.0.1:5001 $repo 1 -Authenticate).Digest | Should -Match '^sha256:'
    }

    It 'refuses a -Credential value that is not a PSCredential' {
        { Invoke-BuildxBuild $TestDrive -Credential @{ 'reg.example' = 'user:pass' } } | Should -Throw -ErrorId 'InvalidCredential,*'
    }

    It 'refuses the oci exporter on the docker driver the way buildx does' {
        $ctx = New-Context "FROM scratch`nCOPY Dockerfile /`n"

        { Invoke-BuildxBuild $ctx -Output 'type=oci,dest=x.tar' -Progress Quiet } | Should -Throw -ErrorId 'OutputNotSupported,*' -ExpectedMessage '*OCI exporter is not supported for the docker driver*'
    }
}
