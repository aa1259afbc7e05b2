# Exporters, caches and attestations that the engine's embedded BuildKit (v0.8) lacks, through a
# remote builder on a standalone buildkitd: oci and docker tarballs and layout directories, -Load
# into the engine, image pushes (by tag, by digest, with a login), compression, annotations,
# provenance, local and registry cache round trips, and an oci-layout named context.
# They run when BUILDX_TEST_BUILDKIT names such a daemon (unix://, tcp://) and are reported skipped
# otherwise; README's Testing notes say how to start one. The daemon pulls its base image from the
# test registry on 127.0.0.1:5000, where BeforeAll pushes the engine's busybox image.
BeforeDiscovery {
    $skip = [string]::IsNullOrEmpty($env:BUILDX_TEST_BUILDKIT)
}

BeforeAll {
    if ([string]::IsNullOrEmpty($env:BUILDX_TEST_BUILDKIT)) { return }
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-ModuleManifestPath) -Force
    $store = Enter-TestStore
    $work = New-Item -ItemType Directory -Path (Join-Path ([IO.Path]::GetTempPath()) ("buildx-standalone-" + [guid]::NewGuid().ToString('N')))
    $builder = New-BuildxBuilder -Name (New-TestName) -Endpoint $env:BUILDX_TEST_BUILDKIT -Bootstrap
    $script:images = [Collections.Generic.List[string]]::new()

    # The standalone daemon cannot see the engine's images: it pulls the base from the registry.
    $baseImage = '127.0.0.1:5000/buildx-test/busybox:standalone'
    $null = Invoke-EngineApi 'images/buildx-test/busybox:latest/tag?repo=127.0.0.1:5000/buildx-test/busybox&tag=standalone' -Method Post
    $null = Invoke-EngineApi 'images/127.0.0.1:5000/buildx-test/busybox/push?tag=standalone' -Method Post -Headers @{ 'X-Registry-Auth' = 'e30=' }

    # An OCI layout, from a tarball, a byte array or a directory, as name -> bytes.
    function Read-Layout {
        param([Parameter(Mandatory)] $Source)
        $files = @{}
        if ($Source -is [string] -and (Test-Path $Source -PathType Container)) {
            foreach ($file in Get-ChildItem $Source -Recurse -File) {
                $files[[IO.Path]::GetRelativePath($Source, $file.FullName).Replace('\', '/')] = [IO.File]::ReadAllBytes($file.FullName)
            }
            return $files
        }
        $stream = if ($Source -is [byte[]]) { [IO.MemoryStream]::new($Source) } else { [IO.File]::OpenRead($Source) }
        try {
            $reader = [System.Formats.Tar.TarReader]::new($stream)
            while ($entry = $reader.GetNextEntry()) {
                if ($entry.DataStream) {
                    $buffer = [IO.MemoryStream]::new()
                    $entry.DataStream.CopyTo($buffer)
                    $files[$entry.Name.TrimStart('.', '/')] = $buffer.ToArray()
                }
            }
        }
        finally { $stream.Dispose() }
        $files
    }

    function Get-Blob { param($Layout, [string] $Digest) $Layout["blobs/sha256/$($Digest.Substring(7))"] }
    function Get-BlobJson { param($Layout, [string] $Digest) [Text.Encoding]::UTF8.GetString((Get-Blob $Layout $Digest)) | ConvertFrom-Json }

    # The image manifest a layout holds under a digest: that manifest, or the platform's manifest in
    # an index (the attestation manifests beside it have platform unknown/unknown).
    function Get-ImageManifest {
        param($Layout, [string] $Digest, [string] $Architecture = 'amd64')
        $document = Get-BlobJson $Layout $Digest
        if ($document.manifests) {
            $descriptor = $document.manifests | Where-Object { $_.platform.architecture -eq $Architecture } | Select-Object -First 1
            return Get-BlobJson $Layout $descriptor.digest
        }
        $document
    }

    # The attestation manifests of an index, by the digest of the image manifest they describe.
    function Get-AttestationManifest {
        param($Layout, [string] $Digest)
        (Get-BlobJson $Layout $Digest).manifests | Where-Object { $_.annotations.'vnd.docker.reference.type' -eq 'attestation-manifest' }
    }

    # Every blob of a layout is stored under its own digest.
    function Assert-BlobDigests {
        param($Layout)
        foreach ($name in $Layout.Keys | Where-Object { $_ -like 'blobs/sha256/*' }) {
            'sha256:' + [Convert]::ToHexString([Security.Cryptography.SHA256]::HashData($Layout[$name])).ToLowerInvariant() | Should -Be ('sha256:' + $name.Substring(13))
        }
    }

    # The text of one file inside a (gzip-compressed or plain) layer tarball.
    function Read-LayerFile {
        param([byte[]] $Layer, [string] $Name)
        $stream = [IO.MemoryStream]::new($Layer)
        if ($Layer[0] -eq 0x1f -and $Layer[1] -eq 0x8b) { $stream = [IO.Compression.GZipStream]::new($stream, [IO.Compression.CompressionMode]::Decompress) }
        $reader = [System.Formats.Tar.TarReader]::new($stream)
        while ($entry = $reader.GetNextEntry()) {
            if ($entry.Name.TrimStart('.', '/') -eq $Name) { return [IO.StreamReader]::new($entry.DataStream).ReadToEnd() }
        }
    }
}

AfterAll {
    Remove-TestScratch
    if ([string]::IsNullOrEmpty($env:BUILDX_TEST_BUILDKIT)) { return }
    foreach ($image in $script:images) { $null = Invoke-EngineApi "images/${image}?force=1" -Method Delete }
    Remove-BuildxBuilder -Name $builder.Name -Force -Confirm:$false -ErrorAction SilentlyContinue
    Exit-TestStore
    Remove-Item $work -Recurse -Force -ErrorAction Ignore
}

Describe 'Invoke-BuildxBuild on a standalone BuildKit: tarball exporters' -Skip:$skip {
    It 'writes an oci tarball and a tar=false layout directory holding the built image' {
        $text = "oci $([guid]::NewGuid())"
        $ctx = New-Context "FROM scratch`nCOPY message.txt /`n" @{ 'message.txt' = $text }
        $tarball = New-OutputPath '.tar'
        $directory = New-OutputPath

        $fromTar = $builder | Invoke-BuildxBuild -Path $ctx -Output "type=oci,dest=$tarball" -Progress Quiet
        $fromDir = $builder | Invoke-BuildxBuild -Path $ctx -Output @{ type = 'oci'; dest = $directory; tar = 'false' } -Progress Quiet

        $fromDir.ImageDigest | Should -Be $fromTar.ImageDigest
        (Get-ChildItem $directory).Name | Sort-Object | Should -Be @('blobs', 'index.json', 'oci-layout')
        foreach ($layout in (Read-Layout $tarball), (Read-Layout $directory)) {
            Assert-BlobDigests $layout
            $index = [Text.Encoding]::UTF8.GetString($layout['index.json']) | ConvertFrom-Json
            $index.manifests[0].digest | Should -Be $fromTar.ImageDigest
            $manifest = Get-ImageManifest $layout $fromTar.ImageDigest
            $manifest.config.digest | Should -Be $fromTar.ImageConfigDigest
            Read-LayerFile (Get-Blob $layout $manifest.layers[-1].digest) 'message.txt' | Should -Be $text
        }
    }

    It 'writes a docker tarball with its tags to a file and through the pipeline with dest=-' {
        $tag = "buildx-pester/standalone-docker:$([guid]::NewGuid().ToString('N').Substring(0, 8))"
        $ctx = New-Context "FROM scratch`nCOPY message.txt /`n" @{ 'message.txt' = 'docker tarball' }
        $file = New-OutputPath '.tar'

        $result = $builder | Invoke-BuildxBuild -Path $ctx -Tag $tag -Output "type=docker,dest=$file" -Progress Quiet
        $stream = [IO.MemoryStream]::new()
        $builder | Invoke-BuildxBuild -Path $ctx -Tag $tag -Output 'type=docker,dest=-' -Progress Quiet | ForEach-Object { $stream.Write($_, 0, $_.Length) }
        $piped = $stream.ToArray()

        foreach ($layout in (Read-Layout $file), (Read-Layout $piped)) {
            $docker = [Text.Encoding]::UTF8.GetString($layout['manifest.json']) | ConvertFrom-Json
            $docker[0].RepoTags | Should -Be $tag
            Assert-BlobDigests $layout
            $manifest = Get-ImageManifest $layout $result.ImageDigest
            Read-LayerFile (Get-Blob $layout $manifest.layers[-1].digest) 'message.txt' | Should -Be 'docker tarball'
        }
    }

    It 'loads into the engine with -Load, checked through the Engine API' {
        $name = "buildx-pester-standalone-load-$([guid]::NewGuid().ToString('N').Substring(0, 8)):1"
        $script:images.Add($name)
        $ctx = New-Context "FROM $baseImage`nRUN echo loaded > /loaded.txt`n"

        $result = $builder | Invoke-BuildxBuild -Path $ctx -Tag $name -Load -Progress Quiet

        $image = Invoke-EngineApi "images/$name/json"
        $image.RepoTags | Should -Contain $name
        $image.Id | Should -Be $result.ImageConfigDigest
        $result.Exports[0].Exporter | Should -Be 'docker'
        $result.Exports[0].Loaded | Should -BeTrue
    }

    It 'exports to several destinations in one call' {
        $ctx = New-Context "FROM scratch`nCOPY . /`n" @{ 'several.txt' = 'three ways' }
        $local = New-OutputPath
        $tar = New-OutputPath '.tar'
        $oci = New-OutputPath '.tar'

        $result = $builder | Invoke-BuildxBuild -Path $ctx -Output @(@{ type = 'local'; dest = $local }, "type=tar,dest=$tar", (New-BuildxOutput oci $oci)) -Progress Quiet

        Get-Content (Join-Path $local 'several.txt') -Raw | Should -Be 'three ways'
        [Text.Encoding]::UTF8.GetString((Read-Layout $tar)['several.txt']) | Should -Be 'three ways'
        $layout = Read-Layout $oci
        $manifest = Get-ImageManifest $layout $result.ImageDigest
        Read-LayerFile (Get-Blob $layout $manifest.layers[-1].digest) 'several.txt' | Should -Be 'three ways'
        $result.Exports.Exporter | Should -Be @('local', 'tar', 'oci')
    }

    It 'compresses layers with <Compression>' -ForEach @(
        @{ Compression = 'zstd'; Level = '3'; MediaType = 'application/vnd.oci.image.layer.v1.tar+zstd' }
        @{ Compression = 'uncompressed'; Level = $null; MediaType = 'application/vnd.oci.image.layer.v1.tar' }
        @{ Compression = 'estargz'; Level = '9'; MediaType = 'application/vnd.oci.image.layer.v1.tar+gzip' }
    ) {
        $ctx = New-Context "FROM scratch`nCOPY . /`n" @{ "$Compression.txt" = "compressed $([guid]::NewGuid())" }
        $out = New-OutputPath
        $output = New-BuildxOutput oci $out -Tar:$false -Compression $Compression -ForceCompression -OciMediaTypes
        if ($Level) { $output = New-BuildxOutput oci $out -Tar:$false -Compression $Compression -CompressionLevel $Level -ForceCompression -OciMediaTypes }

        $result = $builder | Invoke-BuildxBuild -Path $ctx -Output $output -Progress Quiet

        $layout = Read-Layout $out
        $layer = (Get-ImageManifest $layout $result.ImageDigest).layers[-1]
        $layer.mediaType | Should -Be $MediaType
        if ($Compression -eq 'estargz') { $layer.annotations.'containerd.io/snapshot/stargz/toc.digest' | Should -Match '^sha256:' }
        if ($Compression -eq 'zstd') { (Get-Blob $layout $layer.digest)[0..3] | Should -Be @(0x28, 0xb5, 0x2f, 0xfd) }
    }

    It 'puts annotations at the index, manifest and descriptor levels of a multi-platform image' {
        $ctx = New-Context "FROM scratch`nCOPY . /`n" @{ 'annotated.txt' = 'annotated' }
        $out = New-OutputPath

        $result = $builder | Invoke-BuildxBuild -Path $ctx -Platform linux/amd64, linux/386 -Progress Quiet `
            -Output "type=oci,dest=$out,tar=false,annotation-index.org.opencontainers.image.title=the-index,annotation-manifest-descriptor.org.opencontainers.image.title=a-descriptor" `
            -Annotation 'org.opencontainers.image.vendor=pester'

        $layout = Read-Layout $out
        $index = Get-BlobJson $layout $result.ImageDigest
        $index.annotations.'org.opencontainers.image.title' | Should -Be 'the-index'
        $images = $index.manifests | Where-Object { $_.platform.architecture -ne 'unknown' }
        $images.platform.architecture | Sort-Object | Should -Be @('386', 'amd64')
        foreach ($descriptor in $images) {
            $descriptor.annotations.'org.opencontainers.image.title' | Should -Be 'a-descriptor'
            (Get-BlobJson $layout $descriptor.digest).annotations.'org.opencontainers.image.vendor' | Should -Be 'pester'
        }
    }

    It 'refuses index annotations on a single-platform export with the daemon''s message' {
        $ctx = New-Context "FROM scratch`nCOPY . /`n" @{ 'single.txt' = 'single' }
        $out = New-OutputPath

        $err = { $builder | Invoke-BuildxBuild -Path $ctx -Output "type=oci,dest=$out,tar=false,annotation-index.a=b" -Progress Quiet } | Should -Throw -ErrorId 'BuildFailed,*' -PassThru

        $err.Exception.Message | Should -Match 'index annotations not supported for single platform export'
        Test-Path $out | Should -BeFalse
    }

    It 'adds a provenance attestation manifest with -Provenance mode=max' {
        $ctx = New-Context "FROM scratch`nCOPY . /`n" @{ 'attested.txt' = 'attested' }
        $out = New-OutputPath

        $result = $builder | Invoke-BuildxBuild -Path $ctx -Provenance 'mode=max' -Output "type=oci,dest=$out,tar=false" -Progress Quiet

        $layout = Read-Layout $out
        $index = Get-BlobJson $layout $result.ImageDigest
        $attestation = $index.manifests | Where-Object { $_.annotations.'vnd.docker.reference.type' -eq 'attestation-manifest' }
        $image = $index.manifests | Where-Object { $_.platform.architecture -eq 'amd64' }
        $attestation.annotations.'vnd.docker.reference.digest' | Should -Be $image.digest
        $statementLayer = (Get-BlobJson $layout $attestation.digest).layers[0]
        $statementLayer.annotations.'in-toto.io/predicate-type' | Should -Be 'https://slsa.dev/provenance/v0.2'
        $statement = [Text.Encoding]::UTF8.GetString((Get-Blob $layout $statementLayer.digest)) | ConvertFrom-Json
        $statement.predicate.invocation.parameters.locals.name | Should -Contain 'context'
        # mode=max carries the LLB definition; mode=min does not.
        $statement.predicate.buildConfig.llbDefinition | Should -Not -BeNullOrEmpty
    }

    It 'adds an SBOM made by the -Sbom generator image' {
        # A stand-in for docker/buildkit-syft-scanner (not reachable here), built and pushed through the
        # same builder: BuildKit runs the generator's command with the built image mounted at
        # BUILDKIT_SCAN_SOURCE and reads in-toto statements from BUILDKIT_SCAN_DESTINATION.
        $scanner = '127.0.0.1:5000/buildx-test/sbom-scanner:standalone'
        $scan = 'printf ''{"_type":"https://in-toto.io/Statement/v0.1","predicateType":"https://spdx.dev/Document","subject":[],"predicate":{"spdxVersion":"SPDX-2.3","name":"pester-scanner","files":["%s"]}}'' "$(cd "$BUILDKIT_SCAN_SOURCE" && find . -type f | sort | tr ''\n'' '' '')" > "$BUILDKIT_SCAN_DESTINATION/pester.spdx.json"'
        $scannerContext = New-Context "FROM $baseImage`nCOPY scan.sh /scan.sh`nCMD [`"/bin/sh`", `"/scan.sh`"]`n" @{ 'scan.sh' = $scan }
        $null = $builder | Invoke-BuildxBuild -Path $scannerContext -Tag $scanner -Push -Provenance $false -Progress Quiet
        $ctx = New-Context "FROM scratch`nCOPY scanned.txt /`n" @{ 'scanned.txt' = "scanned $([guid]::NewGuid())" }
        $out = New-OutputPath

        $result = $builder | Invoke-BuildxBuild -Path $ctx -Sbom "generator=$scanner" -Provenance $false -Output "type=oci,dest=$out,tar=false" -Progress Quiet

        $layout = Read-Layout $out
        $attestation = Get-AttestationManifest $layout $result.ImageDigest
        $statementLayer = (Get-BlobJson $layout $attestation.digest).layers | Select-Object -First 1
        $statementLayer.annotations.'in-toto.io/predicate-type' | Should -Be 'https://spdx.dev/Document'
        $statement = [Text.Encoding]::UTF8.GetString((Get-Blob $layout $statementLayer.digest)) | ConvertFrom-Json
        $statement.predicate.name | Should -Be 'pester-scanner'
        $statement.predicate.files | Should -Match 'scanned\.txt'
        $image = (Get-BlobJson $layout $result.ImageDigest).manifests | Where-Object { $_.platform.architecture -eq 'amd64' }
        $attestation.annotations.'vnd.docker.reference.digest' | Should -Be $image.digest
    }

    It 'attaches buildx''s default provenance (mode=min) to pushed images, and leaves it out with BUILDX_NO_DEFAULT_ATTESTATIONS=1' {
        # BuildKit keeps inline-only attestations of a single-platform image for the image exporter
        # (push, store) only; oci/docker tarballs and local/tar files get none.
        $repo = "buildx-pester-standalone-prov-$([guid]::NewGuid().ToString('N').Substring(0, 8))"
        $ctx = New-Context "FROM scratch`nCOPY . /`n" @{ 'default.txt' = "default provenance $([guid]::NewGuid())" }
        $local = New-OutputPath

        $attested = $builder | Invoke-BuildxBuild -Path $ctx -Tag "127.0.0.1:5000/${repo}:attested" -Push -Progress Quiet
        $null = $builder | Invoke-BuildxBuild -Path $ctx -Output @{ type = 'local'; dest = $local } -Progress Quiet
        $env:BUILDX_NO_DEFAULT_ATTESTATIONS = '1'
        try { $plain = $builder | Invoke-BuildxBuild -Path $ctx -Tag "127.0.0.1:5000/${repo}:plain" -Push -Progress Quiet }
        finally { Remove-Item Env:BUILDX_NO_DEFAULT_ATTESTATIONS }

        $index = Get-RegistryManifest 127.0.0.1:5000 $repo attested
        $index.Digest | Should -Be $attested.ImageDigest
        $attestation = $index.Manifest.manifests | Where-Object { $_.annotations.'vnd.docker.reference.type' -eq 'attestation-manifest' }
        $attestation | Should -HaveCount 1
        $statementLayer = (Get-RegistryManifest 127.0.0.1:5000 $repo $attestation.digest).Manifest.layers[0]
        $statementLayer.annotations.'in-toto.io/predicate-type' | Should -Be 'https://slsa.dev/provenance/v0.2'
        $statement = Invoke-RestMethod "http://127.0.0.1:5000/v2/$repo/blobs/$($statementLayer.digest)"
        $statement.predicate.invocation.parameters.frontend | Should -Be 'dockerfile.v0'
        $statement.predicate.buildConfig | Should -BeNullOrEmpty
        $single = Get-RegistryManifest 127.0.0.1:5000 $repo plain
        $single.Digest | Should -Be $plain.ImageDigest
        $single.Manifest.mediaType | Should -BeIn 'application/vnd.oci.image.manifest.v1+json', 'application/vnd.docker.distribution.manifest.v2+json'
        # inline-only: the local exporter writes no provenance file beside the build's files.
        (Get-ChildItem $local -Force).Name | Sort-Object | Should -Be @('default.txt', 'Dockerfile')
    }

    It 'builds from an oci-layout named context' {
        $base = New-OutputPath
        $baseResult = $builder | Invoke-BuildxBuild -Path (New-Context "FROM scratch`nCOPY . /`n" @{ 'from-layout.txt' = 'from the layout' }) -Output "type=oci,dest=$base,tar=false" -Progress Quiet
        $ctx = New-Context "FROM scratch`nCOPY --from=layoutbase /from-layout.txt /copied.txt`n"
        $out = New-OutputPath

        $null = $builder | Invoke-BuildxBuild -Path $ctx -BuildContext @{ layoutbase = "oci-layout://$base@$($baseResult.ImageDigest)" } -Output @{ type = 'local'; dest = $out } -Progress Quiet

        Get-Content (Join-Path $out 'copied.txt') -Raw | Should -Be 'from the layout'
    }
}

Describe 'Invoke-BuildxBuild on a standalone BuildKit: registry pushes' -Skip:$skip {
    It 'pushes with -Push and reports the digest the registry serves' {
        $repo = "buildx-pester-standalone-$([guid]::NewGuid().ToString('N').Substring(0, 8))"
        $ctx = New-Context "FROM $baseImage`nRUN echo pushed > /pushed.txt`n"

        $result = $builder | Invoke-BuildxBuild -Path $ctx -Tag "127.0.0.1:5000/${repo}:1" -Push -Progress Quiet

        (Get-RegistryManifest 127.0.0.1:5000 $repo 1).Digest | Should -Be $result.ImageDigest
        $result.ImageNames | Should -Contain "127.0.0.1:5000/${repo}:1"
    }

    It 'pushes by digest alone with push-by-digest=true' {
        $repo = "buildx-pester-standalone-digest-$([guid]::NewGuid().ToString('N').Substring(0, 8))"
        $ctx = New-Context "FROM scratch`nCOPY . /`n" @{ 'digest.txt' = "by digest $([guid]::NewGuid())" }

        $result = $builder | Invoke-BuildxBuild -Path $ctx -Output "type=image,name=127.0.0.1:5000/$repo,push=true,push-by-digest=true" -Progress Quiet

        (Get-RegistryManifest 127.0.0.1:5000 $repo $result.ImageDigest).Digest | Should -Be $result.ImageDigest
        Get-RegistryManifest 127.0.0.1:5000 $repo latest | Should -BeNullOrEmpty
    }

    It 'pushes to the login registry through the session''s auth service, and fails cleanly without a login' {
        $repo = "buildx-pester-standalone-auth-$([guid]::NewGuid().ToString('N').Substring(0, 8))"
        $name = "127.0.0.1:5001/${repo}:1"
        $ctx = New-Context "FROM scratch`nCOPY . /`n" @{ 'auth.txt' = "with a login $([guid]::NewGuid())" }
        $env:DOCKER_CONFIG = Join-Path $TestDrive 'empty-config'
        try {
            $err = { $builder | Invoke-BuildxBuild -Path $ctx -Tag $name -Push -Progress Quiet } | Should -Throw -ErrorId 'RegistryUnauthorized,*' -ExpectedMessage '*401 Unauthorized*' -PassThru
            $err.CategoryInfo.Category | Should -Be 'PermissionDenied'
            Get-RegistryManifest 127.0.0.1:5001 $repo 1 -Authenticate | Should -BeNullOrEmpty

            $login = [pscredential]::new('buildx', (ConvertTo-SecureString 'buildx-test-pass' -AsPlainText -Force))
            $result = $builder | Invoke-BuildxBuild -Path $ctx -Tag $name -Push -Credential @{ '127.0.0.1:5001' = $login } -Progress Quiet

            (Get-RegistryManifest 127.0.0.1:5001 $repo 1 -Authenticate).Digest | Should -Be $result.ImageDigest
        }
        finally { Remove-Item Env:DOCKER_CONFIG }
    }
}

Describe 'Invoke-BuildxBuild on a standalone BuildKit: cache export and import' -Skip:$skip {
    It 'round-trips the cache through a <Kind>' -ForEach @(
        @{ Kind = 'local directory' }
        @{ Kind = 'registry' }
        @{ Kind = 'pushed image (inline)' }
    ) {
        # A unique RUN line: only the imported cache can answer it once the builder's cache is empty.
        $marker = [guid]::NewGuid().ToString('N')
        $ctx = New-Context "FROM $baseImage AS work`nRUN echo $marker > /marker.txt`nFROM scratch`nCOPY --from=work /marker.txt /`n"
        $exportArguments = @{ Output = 'type=cacheonly' }
        if ($Kind -eq 'registry') {
            $ref = "127.0.0.1:5000/buildx-pester-standalone-cache-$($marker.Substring(0, 8)):cache"
            $to = "type=registry,ref=$ref,mode=max"
            $from = @{ type = 'registry'; ref = $ref }
        }
        elseif ($Kind -like 'pushed image*') {
            # The cache rides in the image's config; importing names the image as a registry cache.
            $ref = "127.0.0.1:5000/buildx-pester-standalone-inline-$($marker.Substring(0, 8)):1"
            $to = 'type=inline'
            $from = "type=registry,ref=$ref"
            $exportArguments = @{ Tag = $ref; Push = $true }
            $ctx = New-Context "FROM $baseImage`nRUN echo $marker > /marker.txt`n"
        }
        else {
            $cache = New-OutputPath
            $to = @{ type = 'local'; dest = $cache; mode = 'max' }
            $from = "type=local,src=$cache"
        }

        $null = $builder | Invoke-BuildxBuild -Path $ctx -CacheTo $to @exportArguments -Progress Quiet
        if ($Kind -eq 'local directory') { (Get-ChildItem $cache).Name | Sort-Object | Should -Be @('blobs', 'index.json', 'oci-layout') }
        $null = $builder | Clear-BuildxCache -All -Force
        $out = New-OutputPath
        $result = $builder | Invoke-BuildxBuild -Path $ctx -CacheFrom $from -Output @{ type = 'local'; dest = $out } -Progress Quiet

        ($result.Steps | Where-Object Name -like '*RUN echo*').Cached | Should -BeTrue
        $result.Steps.Name -like 'importing cache manifest from *' | Should -HaveCount 1
        Get-Content (Join-Path $out 'marker.txt') | Should -Be $marker
    }

    It 'adds a tag beside the existing ones in a local cache directory' {
        $cache = New-OutputPath
        $ctx = New-Context "FROM scratch`nCOPY . /`n" @{ 'tags.txt' = "tags $([guid]::NewGuid())" }

        $null = $builder | Invoke-BuildxBuild -Path $ctx -CacheTo "type=local,dest=$cache" -Output type=cacheonly -Progress Quiet
        $null = $builder | Invoke-BuildxBuild -Path $ctx -CacheTo "type=local,dest=$cache,tag=second" -Output type=cacheonly -Progress Quiet

        $index = Get-Content (Join-Path $cache 'index.json') -Raw | ConvertFrom-Json
        $index.manifests.annotations.'org.opencontainers.image.ref.name' | Sort-Object | Should -Be @('latest', 'second')
        Assert-BlobDigests (Read-Layout $cache)
    }
}

Describe 'Invoke-BuildxBuild on a standalone BuildKit: RUN-step settings and named contexts the engine ignores' -Skip:$skip {
    It 'gives RUN steps the -ShmSize and -Ulimit asked for' {
        $ctx = New-Context "FROM $baseImage AS work`nRUN mkdir /out && echo $([guid]::NewGuid()) > /out/run && df -k /dev/shm | tail -n 1 > /out/shm && ulimit -n > /out/nofile`nFROM scratch`nCOPY --from=work /out /`n"
        $out = New-OutputPath

        $null = $builder | Invoke-BuildxBuild -Path $ctx -ShmSize 96MB -Ulimit 'nofile=1536:2048' -Output @{ type = 'local'; dest = $out } -Progress Quiet

        (-split (Get-Content (Join-Path $out 'shm') -Raw))[1] | Should -Be '98304'
        (Get-Content (Join-Path $out 'nofile') -Raw).Trim() | Should -Be '1536'
    }

    It 'builds from docker-image and directory named contexts' {
        $extra = New-Context "unused" @{ 'extra.txt' = "from a named directory $([guid]::NewGuid())" }
        $ctx = New-Context "FROM base AS work`nCOPY --from=extra extra.txt /out/extra.txt`nRUN cp /bin/busybox /out/busybox-from-base`nFROM scratch`nCOPY --from=work /out /`n"
        $out = New-OutputPath

        $null = $builder | Invoke-BuildxBuild -Path $ctx -BuildContext @{ base = "docker-image://$baseImage"; extra = $extra } -Output @{ type = 'local'; dest = $out } -Progress Quiet

        Get-Content (Join-Path $out 'extra.txt') -Raw | Should -Be (Get-Content (Join-Path $extra 'extra.txt') -Raw)
        (Get-Item (Join-Path $out 'busybox-from-base')).Length | Should -BeGreaterThan 100000
    }
}
