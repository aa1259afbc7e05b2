BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-ModuleManifestPath) -Force
    $baseImage = if ($env:BUILDX_TEST_BASE_IMAGE) { $env:BUILDX_TEST_BASE_IMAGE } else { 'buildx-test/busybox:latest' }
}

AfterAll { Remove-TestScratch }

Describe 'Invoke-BuildxBuild on the default builder' {
    It 'exports FROM scratch + COPY with local, file for file: content, mode, symlinks, mtimes' {
        $ctx = New-Context -Dockerfile "FROM scratch`nCOPY . /`n" -Files @{
            'a.txt' = 'alpha'; 'dir/b.txt' = 'bravo'; 'dir/sub/c.bin' = ('x' * 70000); 'ünïcødé.txt' = 'names'
        }
        New-Item -ItemType Directory -Path (Join-Path $ctx 'empty') | Out-Null
        New-Item -ItemType SymbolicLink -Path (Join-Path $ctx 'link-to-a') -Target 'a.txt' | Out-Null
        & chmod 0750 (Join-Path $ctx 'dir/b.txt')
        & chmod 0755 (Join-Path $ctx 'dir/sub/c.bin')
        $stamp = [datetime]::SpecifyKind([datetime]'2021-03-04T05:06:07.1234567', 'Utc')
        (Get-Item (Join-Path $ctx 'a.txt')).LastWriteTimeUtc = $stamp
        $out = New-OutputPath

        $result = Invoke-BuildxBuild -Path $ctx -Output @{ type = 'local'; dest = $out } -Progress Quiet

        $result.GetType().FullName | Should -Be 'Buildx.Core.Builds.BuildResult'
        $result.Builder | Should -Be 'default'
        $result.Outputs | Should -Be @($out)
        $result.Ref | Should -Match '^[0-9a-z]{25}$'
        $result.StepCount | Should -BeGreaterThan 0
        foreach ($name in 'a.txt', 'dir/b.txt', 'dir/sub/c.bin', 'ünïcødé.txt', 'Dockerfile') {
            (Get-FileHash (Join-Path $out $name)).Hash | Should -Be (Get-FileHash (Join-Path $ctx $name)).Hash -Because $name
            (Get-Item (Join-Path $out $name)).UnixFileMode | Should -Be (Get-Item (Join-Path $ctx $name)).UnixFileMode -Because $name
        }
        (Get-Item (Join-Path $out 'empty')).PSIsContainer | Should -BeTrue
        (Get-Item (Join-Path $out 'link-to-a')).LinkTarget | Should -Be 'a.txt'
        (Get-Item (Join-Path $out 'a.txt')).LastWriteTimeUtc | Should -Be $stamp
    }

    It 'runs RUN steps on the busybox base image' {
        $unique = [guid]::NewGuid().ToString('N')
        $ctx = New-Context -Dockerfile "FROM $baseImage`nRUN echo built-by-run > /result.txt && echo step-output-marker-$unique`nFROM scratch`nCOPY --from=0 /result.txt /`n"
        $out = New-OutputPath

        $result = Invoke-BuildxBuild -Path $ctx -Output "type=local,dest=$out" -InformationVariable logs -Progress Auto

        Get-Content (Join-Path $out 'result.txt') | Should -Be 'built-by-run'
        ($logs | Where-Object { $_.Tags -contains 'StepOutput' } | ForEach-Object { "$($_.MessageData)" }) -join "`n" | Should -Match "step-output-marker-$unique"
        $result.CachedStepCount | Should -BeLessThan $result.StepCount
    }

    It 'reports the steps of a rebuild as cached' {
        $ctx = New-Context -Dockerfile "FROM $baseImage`nRUN echo $([guid]::NewGuid()) > /id`n" -Files @{}
        $first = Invoke-BuildxBuild -Path $ctx -Output @{ type = 'cacheonly' } -Progress Quiet
        $second = Invoke-BuildxBuild -Path $ctx -Output @{ type = 'cacheonly' } -Progress Quiet

        ($first.Steps | Where-Object Name -like '*RUN echo*').Cached | Should -BeFalse
        ($second.Steps | Where-Object Name -like '*RUN echo*').Cached | Should -BeTrue
        $second.CachedStepCount | Should -BeGreaterOrEqual 1
        $second.CachedStepCount | Should -Be @($second.Steps | Where-Object Cached).Count
        $second.StepCount | Should -Be $first.StepCount
    }

    It 'honours .dockerignore with exceptions and <Dockerfile>.dockerignore' {
        $ctx = New-Context -Dockerfile "FROM scratch`nCOPY . /`n" -Files @{
            'keep.txt' = 'k'; 'skip.tmp' = 's'; 'important.tmp' = 'i'; 'logs/a.log' = 'a'; 'src/main.c' = 'm'
            '.dockerignore' = "*.tmp`n!important.tmp`nlogs`n"
        }
        $out = New-OutputPath
        Invoke-BuildxBuild -Path $ctx -Output @{ type = 'local'; dest = $out } -Progress Quiet | Out-Null

        Join-Path $out 'keep.txt' | Should -Exist
        Join-Path $out 'important.tmp' | Should -Exist
        Join-Path $out 'src/main.c' | Should -Exist
        Join-Path $out 'skip.tmp' | Should -Not -Exist
        Join-Path $out 'logs' | Should -Not -Exist

        # A Dockerfile-specific ignore file wins over .dockerignore.
        Set-Content (Join-Path $ctx 'Custom.Dockerfile') "FROM scratch`nCOPY . /`n"
        Set-Content (Join-Path $ctx 'Custom.Dockerfile.dockerignore') "src`n"
        $out2 = New-OutputPath
        Invoke-BuildxBuild -Path $ctx -File (Join-Path $ctx 'Custom.Dockerfile') -Output @{ type = 'local'; dest = $out2 } -Progress Quiet | Out-Null
        Join-Path $out2 'src' | Should -Not -Exist
        Join-Path $out2 'skip.tmp' | Should -Exist
    }

    It 'passes build args, labels and the target' {
        $ctx = New-Context -Dockerfile "FROM $baseImage AS one`nARG WHO=nobody`nRUN echo `"hi `$WHO`" > /who`nFROM scratch AS two`nCOPY --from=one /who /who`nFROM scratch AS three`nCOPY Dockerfile /never`n"
        $out = New-OutputPath
        Invoke-BuildxBuild -Path $ctx -Target two -BuildArg @{ WHO = 'pester' } -Label @{ team = 'ops' } -Output @{ type = 'local'; dest = $out } -Progress Quiet | Out-Null

        Get-Content (Join-Path $out 'who') | Should -Be 'hi pester'
        Join-Path $out 'never' | Should -Not -Exist
    }

    It 'writes a tar export' {
        $ctx = New-Context -Dockerfile "FROM scratch`nCOPY a.txt /`n" -Files @{ 'a.txt' = 'in a tarball' }
        $tar = New-OutputPath '.tar'
        $result = Invoke-BuildxBuild -Path $ctx -Output "type=tar,dest=$tar" -Progress Quiet

        $result.Outputs | Should -Be @($tar)
        $listing = & tar -tf $tar
        $listing | Should -Contain 'a.txt'
        $extract = New-OutputPath
        New-Item -ItemType Directory $extract | Out-Null
        & tar -xf $tar -C $extract
        Get-Content (Join-Path $extract 'a.txt') | Should -Be 'in a tarball'
    }

    It 'loads the image into the engine when no output is given (docker driver)' {
        $tag = "buildx-pester/loaded:$([guid]::NewGuid().ToString('N').Substring(0, 8))"
        $ctx = New-Context -Dockerfile "FROM scratch`nCOPY Dockerfile /`n"
        $result = Invoke-BuildxBuild -Path $ctx -Tag $tag -Progress Quiet

        $image = Invoke-RestMethod -UnixSocket (Get-EngineSocket) -Uri "http://engine/images/$tag/json"
        $image.RepoTags | Should -Contain $tag
        $result.ImageNames | Should -Contain $tag
    }

    It 'writes the metadata file' {
        $ctx = New-Context -Dockerfile "FROM scratch`nCOPY Dockerfile /`n"
        $meta = New-OutputPath '.json'
        $result = Invoke-BuildxBuild -Path $ctx -Output @{ type = 'cacheonly' } -MetadataFile $meta -Progress Quiet

        $json = Get-Content $meta -Raw | ConvertFrom-Json
        $json.'buildx.build.ref' | Should -Be "default/default/$($result.Ref)"
    }

    It 'shows plain progress on the host' {
        $ctx = New-Context -Dockerfile "FROM scratch`nCOPY Dockerfile /`n"
        $result = Invoke-BuildxBuild -Path $ctx -Output @{ type = 'cacheonly' } -Progress Plain -InformationVariable shown 6>$null
        ($shown | ForEach-Object { "$($_.MessageData)" }) -join "`n" | Should -Match '#1 '
        $result | Should -Not -BeNullOrEmpty
    }
}

Describe 'Invoke-BuildxBuild failures' {
    It 'fails a failing RUN with BuildKit''s message, the step and its output' {
        $ctx = New-Context -Dockerfile "FROM $baseImage`nRUN echo about-to-fail && exit 3`n"
        $failure = { Invoke-BuildxBuild -Path $ctx -Output @{ type = 'cacheonly' } -Progress Quiet } |
            Should -Throw -ErrorId 'BuildFailed,Buildx.PowerShell.Cmdlets.InvokeBuildxBuildCommand' -PassThru
        $failure.Exception.Message | Should -Match 'exit code: 3'
        $failure.Exception.Message | Should -Match 'RUN echo about-to-fail'
        $failure.Exception.Message | Should -Match 'about-to-fail'
        $failure.CategoryInfo.Category | Should -Be 'InvalidOperation'
    }

    It 'fails a Dockerfile syntax error with DockerfileInvalid' {
        $ctx = New-Context -Dockerfile "FROM scratch`nNOTANINSTRUCTION foo`n"
        $failure = { Invoke-BuildxBuild -Path $ctx -Output @{ type = 'cacheonly' } -Progress Quiet } |
            Should -Throw -ErrorId 'DockerfileInvalid,Buildx.PowerShell.Cmdlets.InvokeBuildxBuildCommand' -PassThru
        $failure.Exception.Message | Should -Match 'NOTANINSTRUCTION'
        $failure.CategoryInfo.Category | Should -Be 'InvalidArgument'
    }

    It 'refuses a missing context, a missing Dockerfile and bad outputs before building' {
        { Invoke-BuildxBuild -Path '/nonexistent/ctx' } | Should -Throw -ErrorId 'BuildContextNotFound,Buildx.PowerShell.Cmdlets.InvokeBuildxBuildCommand'
        $ctx = New-Context -Dockerfile "FROM scratch`n"
        { Invoke-BuildxBuild -Path $ctx -File (Join-Path $ctx 'Nope.Dockerfile') } | Should -Throw -ErrorId 'DockerfileNotFound,Buildx.PowerShell.Cmdlets.InvokeBuildxBuildCommand'
        { Invoke-BuildxBuild -Path $ctx -Output @{ dest = 'x' } } | Should -Throw -ErrorId 'InvalidOutput,Buildx.PowerShell.Cmdlets.InvokeBuildxBuildCommand'
        { Invoke-BuildxBuild -Path $ctx -Output 'type=local' } | Should -Throw -ErrorId 'InvalidOutput,Buildx.PowerShell.Cmdlets.InvokeBuildxBuildCommand'
        { Invoke-BuildxBuild -Path $ctx -Output 'type=bogus,dest=x' } | Should -Throw -ErrorId 'InvalidOutput,Buildx.PowerShell.Cmdlets.InvokeBuildxBuildCommand'
    }

    It 'leaves no destination behind when the build fails' {
        $ctx = New-Context -Dockerfile "FROM $baseImage`nRUN exit 1`n"
        $out = New-OutputPath
        { Invoke-BuildxBuild -Path $ctx -Output @{ type = 'local'; dest = $out } -Progress Quiet } | Should -Throw
        $out | Should -Not -Exist
    }

    It 'cancels the solve on the daemon when stopped (Ctrl+C)' {
        $run = Invoke-StoppedBuild -BaseImage $baseImage

        $run.Started | Should -BeTrue -Because 'the RUN step must have started'
        $run.StopSeconds | Should -BeLessThan 3
        $run.StepSurvived | Should -BeFalse -Because 'the daemon must have cancelled the RUN step'
    }
}

Describe 'Invoke-BuildxBuild -Platform on a builder of several nodes' {
    BeforeAll {
        Initialize-StandinImage
        $null = Enter-TestStore
        $name = New-TestName 'mp'
        $standin = Get-StandinDriverOption
        $null = New-BuildxBuilder -Name $name -DriverOption $standin -Platform linux/amd64 -Bootstrap
        # The same engine under a second spelling: sibling nodes need different endpoints.
        $otherEndpoint = "unix://$((Get-EngineSocket) -replace '^/var/run/', '/run/')"
        $null = Add-BuildxBuilderNode -Name $name -Node "${name}arm" -Endpoint $otherEndpoint -DriverOption $standin -Platform linux/arm64 -Bootstrap
        $context = New-Context -Dockerfile "FROM scratch`nARG TARGETPLATFORM`nCOPY `${TARGETPLATFORM}/ /`n" -Files @{
            'linux/amd64/built-for.txt' = 'amd64'
            'linux/arm64/built-for.txt' = 'arm64'
        }
    }

    AfterAll { Exit-TestStore }

    It 'builds each platform on the node declared for it, into a directory per platform' {
        $out = New-OutputPath
        $result = Invoke-BuildxBuild $context -Builder $name -Platform 'linux/amd64,arm64' -Output @{ type = 'local'; dest = $out }

        Get-Content -Raw (Join-Path $out 'linux_amd64/built-for.txt') | Should -Be 'amd64'
        Get-Content -Raw (Join-Path $out 'linux_arm64/built-for.txt') | Should -Be 'arm64'
        $result.Platforms.Platform | Should -Be @('linux/amd64', 'linux/arm64')
        ($result.Platforms | Where-Object Platform -eq 'linux/arm64').Node | Should -Be "${name}arm"
        ($result.Platforms | Where-Object Platform -eq 'linux/amd64').Node | Should -Be "${name}0"
    }

    It 'refuses a platform no node can build, naming it' {
        { Invoke-BuildxBuild $context -Builder $name -Platform linux/s390x -Output @{ type = 'local'; dest = (New-OutputPath) } } |
            Should -Throw -ErrorId 'PlatformNotSupported,Buildx.PowerShell.Cmdlets.InvokeBuildxBuildCommand' -ExpectedMessage '*linux/s390x*'
    }

    It 'refuses one tarball written by several nodes' {
        { Invoke-BuildxBuild $context -Builder $name -Platform linux/amd64, linux/arm64 -Output "type=tar,dest=$(New-OutputPath '.tar')" } |
            Should -Throw -ErrorId 'InvalidOutput,Buildx.PowerShell.Cmdlets.InvokeBuildxBuildCommand' -ExpectedMessage '*several nodes*'
    }
}
