# New-BuildxOutput: every exporter type and attribute of the seed's tables, and the refusals.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-ModuleManifestPath) -Force
}

Describe 'New-BuildxOutput' {
    It 'creates a <Type> output' -ForEach @(
        @{ Type = 'image' }, @{ Type = 'registry' }, @{ Type = 'cacheonly' }
        @{ Type = 'local'; Destination = 'out' }, @{ Type = 'tar'; Destination = 'out.tar' }
        @{ Type = 'oci'; Destination = 'out.oci.tar' }, @{ Type = 'docker'; Destination = 'out.docker.tar' }
    ) {
        $spec = if ($Destination) { New-BuildxOutput $Type $Destination } else { New-BuildxOutput $Type }

        $spec | Should -BeOfType ([Buildx.Core.Exports.ExportSpec])
        $spec.Type | Should -Be $Type
        if ($Destination) { $spec.Destination | Should -Be (Join-Path $PWD $Destination) }
    }

    It 'maps every image parameter to the attribute BuildKit reads' {
        $spec = New-BuildxOutput image -Name 'reg.example/a:1', 'reg.example/a:2' -Push -PushByDigest -Insecure -DanglingNamePrefix dangling `
            -NameCanonical -Compression zstd -CompressionLevel 22 -ForceCompression -OciMediaTypes -BuildInfo:$false -BuildInfoAttributes `
            -Unpack:$false -Store:$false -Annotation @{ 'org.opencontainers.image.title' = 'app'; 'index,manifest-descriptor:k' = 'v' }

        $a = $spec.Attributes
        $a['name'] | Should -Be 'reg.example/a:1,reg.example/a:2'
        $a['push'] | Should -Be 'true'
        $a['push-by-digest'] | Should -Be 'true'
        $a['registry.insecure'] | Should -Be 'true'
        $a['dangling-name-prefix'] | Should -Be 'dangling'
        $a['name-canonical'] | Should -Be 'true'
        $a['compression'] | Should -Be 'zstd'
        $a['compression-level'] | Should -Be '22'
        $a['force-compression'] | Should -Be 'true'
        $a['oci-mediatypes'] | Should -Be 'true'
        $a['buildinfo'] | Should -Be 'false'
        $a['buildinfo-attrs'] | Should -Be 'true'
        $a['unpack'] | Should -Be 'false'
        $a['store'] | Should -Be 'false'
        $a['annotation.org.opencontainers.image.title'] | Should -Be 'app'
        $a['annotation-index.k'] | Should -Be 'v'
        $a['annotation-manifest-descriptor.k'] | Should -Be 'v'
        $a.ContainsKey('insecure') | Should -BeFalse
    }

    It 'maps the oci and docker parameters, tar included' {
        $spec = New-BuildxOutput docker -Destination x.tar -Name app:1 -Tar -Compression estargz -CompressionLevel 9 -OciMediaTypes -BuildInfo

        $spec.Attributes['tar'] | Should -Be 'true'
        $spec.Attributes['compression'] | Should -Be 'estargz'
        $spec.Attributes['compression-level'] | Should -Be '9'
        $spec.Attributes['name'] | Should -Be 'app:1'
    }

    It 'takes other attributes through -Attribute, checked the same way' {
        (New-BuildxOutput local out -Attribute @{ mode = 'delete'; 'platform-split' = $false }).Attributes['platform-split'] | Should -Be 'false'
        { New-BuildxOutput local out -Attribute @{ mode = 'move' } } | Should -Throw -ErrorId 'InvalidOutput,*' -ExpectedMessage '*copy or delete*'
    }

    It 'refuses <Case>' -ForEach @(
        @{ Case = 'an unknown type'; Call = { New-BuildxOutput zip }; Expected = '*image, registry, local, tar, oci, docker, cacheonly*' }
        @{ Case = 'a gzip level above 9'; Call = { New-BuildxOutput image -Compression gzip -CompressionLevel 10 }; Expected = '*0-9*' }
        @{ Case = 'a zstd level above 22'; Call = { New-BuildxOutput oci x.tar -Compression zstd -CompressionLevel 23 }; Expected = '*0-22*' }
        @{ Case = 'a level without compression to apply it to'; Call = { New-BuildxOutput image -Compression uncompressed -CompressionLevel 1 }; Expected = '*does not apply*' }
        @{ Case = 'an unknown compression'; Call = { New-BuildxOutput image -Compression lz4 }; Expected = '*uncompressed, gzip, estargz, zstd*' }
        @{ Case = 'push on a file exporter'; Call = { New-BuildxOutput tar x.tar -Push }; Expected = "*has no attribute 'push'*" }
        @{ Case = 'estargz with Docker media types'; Call = { New-BuildxOutput image -Compression estargz -OciMediaTypes:$false }; Expected = '*needs OCI media types*' }
        @{ Case = 'an annotation on local'; Call = { New-BuildxOutput local out -Annotation @{ k = 'v' } }; Expected = '*takes no annotations*' }
        @{ Case = 'a destination on image'; Call = { New-BuildxOutput image out }; Expected = '*takes no dest*' }
        @{ Case = 'local without a destination'; Call = { New-BuildxOutput local }; Expected = '*needs a destination directory*' }
        @{ Case = 'push-by-digest with push=false'; Call = { New-BuildxOutput image -PushByDigest -Push:$false }; Expected = '*push=false*' }
    ) {
        $Call | Should -Throw -ErrorId 'InvalidOutput,Buildx.PowerShell.Cmdlets.NewBuildxOutputCommand' -ExpectedMessage $Expected
    }

    It 'refuses an unknown annotation level, naming the accepted ones' {
        { New-BuildxOutput image -Annotation @{ 'layer:k' = 'v' } } |
            Should -Throw -ErrorId 'InvalidAnnotation,Buildx.PowerShell.Cmdlets.NewBuildxOutputCommand' -ExpectedMessage "*'layer' is not an annotation type*manifest, manifest-descriptor, index, index-descriptor*"
    }

    It 'completes -Type and -Compression' {
        $line = 'New-BuildxOutput -Type '
        $types = (TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches.CompletionText
        $types | Should -Be @('image', 'registry', 'local', 'tar', 'oci', 'docker', 'cacheonly')
        $line = 'New-BuildxOutput image -Compression z'
        (TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches.CompletionText | Should -Be 'zstd'
    }

    It 'formats as a table of type, destination and attributes' {
        $text = New-BuildxOutput registry -Name reg.example/app:1 | Out-String

        $text | Should -Match 'TYPE\s+DEST\s+ATTRIBUTES'
        $text | Should -Match 'registry\s+name=reg.example/app:1'
    }
}
