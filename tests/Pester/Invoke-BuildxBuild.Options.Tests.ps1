# Invoke-BuildxBuild's build surface beyond outputs: secrets, SSH, cache, RUN-step settings, named
# contexts, annotations, attestations, pull; against the engine's BuildKit, plus every parameter's validation.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-ModuleManifestPath) -Force
    $baseImage = if ($env:BUILDX_TEST_BASE_IMAGE) { $env:BUILDX_TEST_BASE_IMAGE } else { 'buildx-test/busybox:latest' }
    $cmd = 'Buildx.PowerShell.Cmdlets.InvokeBuildxBuildCommand'

    # A Dockerfile that runs one command in the base image and exports what it wrote to /out.
    function Get-RunDockerfile {
        param([Parameter(Mandatory)][string] $Run)
        "FROM $baseImage AS work`nRUN mkdir /out && $Run`nFROM scratch`nCOPY --from=work /out /`n"
    }
}

AfterAll { Remove-TestScratch }

Describe 'Invoke-BuildxBuild -Secret' {
    It 'hands file, env and SecureString secrets to RUN steps and never prints them' {
        $ctx = New-Context -Dockerfile ("FROM $baseImage AS work`nRUN --mount=type=secret,id=npm --mount=type=secret,id=tok --mount=type=secret,id=pw mkdir /out && cp /run/secrets/npm /run/secrets/tok /run/secrets/pw /out/`nFROM scratch`nCOPY --from=work /out /`n")
        $npmrc = Join-Path $ctx 'npmrc.secret'
        Set-Content $npmrc 'file-secret-content' -NoNewline
        $env:BUILDX_PESTER_TOKEN = 'env-secret-content'
        $password = ConvertTo-SecureString 'securestring-content' -AsPlainText -Force
        $out = New-OutputPath
        try {
            $streams = Invoke-BuildxBuild -Path $ctx -Output @{ type = 'local'; dest = $out } -Progress Plain -Verbose `
                -Secret @{ id = 'npm'; src = $npmrc }, 'id=tok,env=BUILDX_PESTER_TOKEN', @{ id = 'pw'; value = $password } *>&1
            $result = $streams | Where-Object { $_ -is [Buildx.Core.Builds.BuildResult] }
        }
        finally { Remove-Item Env:BUILDX_PESTER_TOKEN }

        $result | Should -Not -BeNullOrEmpty
        Get-Content (Join-Path $out 'npm') -Raw | Should -Be 'file-secret-content'
        Get-Content (Join-Path $out 'tok') -Raw | Should -Be 'env-secret-content'
        Get-Content (Join-Path $out 'pw') -Raw | Should -Be 'securestring-content'
        ($streams | Out-String) | Should -Not -Match 'securestring-content|env-secret-content|file-secret-content'
    }

    It 'refuses <Case> with <Id>' -ForEach @(
        @{ Case = 'a secret without id'; Value = @{ src = 'x' }; Id = 'InvalidSecret' }
        @{ Case = 'an unknown type'; Value = 'id=a,type=socket'; Id = 'InvalidSecret' }
        @{ Case = 'a value in CSV text'; Value = 'id=a,value=plain'; Id = 'InvalidSecret' }
        @{ Case = 'a missing file'; Value = @{ id = 'a'; src = '/nonexistent/secret' }; Id = 'SecretSourceNotFound' }
        @{ Case = 'an unset env var'; Value = 'id=a,env=BUILDX_PESTER_UNSET_VARIABLE'; Id = 'SecretSourceNotFound' }
        @{ Case = 'a number'; Value = 42; Id = 'InvalidSecret' }
    ) {
        $ctx = New-Context -Dockerfile "FROM scratch`n"
        { Invoke-BuildxBuild -Path $ctx -Secret $Value -Progress Quiet } | Should -Throw -ErrorId "$Id,$cmd"
    }

    It 'keeps a SecureString value out of the error when the entry is wrong' {
        $ctx = New-Context -Dockerfile "FROM scratch`n"
        $password = ConvertTo-SecureString 'do-not-show-me' -AsPlainText -Force
        $err = { Invoke-BuildxBuild -Path $ctx -Secret @{ id = 'pw'; value = $password; env = 'X' } } | Should -Throw -ErrorId "InvalidSecret,$cmd" -PassThru
        $err.Exception.Message | Should -Not -Match 'do-not-show-me'
        $err.CategoryInfo.Category | Should -Be 'InvalidArgument'
    }
}

Describe 'Invoke-BuildxBuild -Ssh' {
    It 'refuses <Case> with <Id>' -ForEach @(
        @{ Case = 'a missing socket'; Value = 'default=/nonexistent/agent.sock'; Id = 'SshAgentUnavailable' }
        @{ Case = 'an entry without id'; Value = @{ paths = '/tmp/x' }; Id = 'SshAgentUnavailable' }
        @{ Case = 'an unknown key'; Value = @{ id = 'a'; socket = '/tmp/x' }; Id = 'InvalidSsh' }
        @{ Case = 'an empty id'; Value = '=/tmp/agent.sock'; Id = 'InvalidSsh' }
    ) {
        $ctx = New-Context -Dockerfile "FROM scratch`n"
        { Invoke-BuildxBuild -Path $ctx -Ssh $Value -Progress Quiet } | Should -Throw -ErrorId "$Id,$cmd"
    }

    Context 'with private key files' {
        BeforeAll {
            $keyDir = Join-Path ([IO.Path]::GetTempPath()) ("buildx-keys-" + [guid]::NewGuid().ToString('N'))
            New-Item -ItemType Directory -Path $keyDir | Out-Null
            & ssh-keygen -q -t ed25519 -N '' -C 'pester-plain-key' -f (Join-Path $keyDir 'id_plain')
            & ssh-keygen -q -t ecdsa -b 384 -N 'pester pass' -C 'pester-locked-key' -f (Join-Path $keyDir 'id_locked')
            Set-Content (Join-Path $keyDir 'id_broken') "-----BEGIN OPENSSH PRIVATE KEY-----`nnot a key`n-----END OPENSSH PRIVATE KEY-----`n"
            $passphrase = ConvertTo-SecureString 'pester pass' -AsPlainText -Force

            # The RUN step lists the agent's identities through SSH_AUTH_SOCK with a small static client.
            $agentList = Join-Path $keyDir 'agent-list'
            & gcc -static -O2 -o $agentList (Join-Path $PSScriptRoot '../fixtures/ssh-agent-client/agent-list.c')

            function Get-PublicBlobHex([string] $Key) {
                [Convert]::ToHexString([Convert]::FromBase64String(((Get-Content "$Key.pub" -Raw) -split ' ')[1]))
            }
        }
        AfterAll { Remove-Item $keyDir -Recurse -Force -ErrorAction Ignore }

        It 'serves relative key paths and a SecureString passphrase to RUN steps through the in-process agent' {
            # SSH mounts are not in BuildKit's cache key: the unique RUN line keeps an earlier answer out.
            $ctx = New-Context -Dockerfile ("FROM $baseImage AS work`nCOPY agent-list /agent-list`nRUN --mount=type=ssh,id=deploy mkdir /out && echo $([guid]::NewGuid()) > /out/run && /agent-list > /out/identities`nFROM scratch`nCOPY --from=work /out /`n")
            Copy-Item $agentList $ctx
            $out = New-OutputPath
            Push-Location $keyDir
            try {
                $result = Invoke-BuildxBuild -Path $ctx -Output @{ type = 'local'; dest = $out } -Progress Quiet `
                    -Ssh @{ id = 'deploy'; paths = './id_plain', 'id_locked'; passphrase = $passphrase }
            }
            finally { Pop-Location }

            $result | Should -BeOfType ([Buildx.Core.Builds.BuildResult])
            $answer = [IO.File]::ReadAllBytes((Join-Path $out 'identities'))
            $answer[4] | Should -Be 12
            $answer[8] | Should -Be 2
            $hex = [Convert]::ToHexString($answer)
            $hex | Should -Match (Get-PublicBlobHex (Join-Path $keyDir 'id_plain'))
            $hex | Should -Match (Get-PublicBlobHex (Join-Path $keyDir 'id_locked'))
            [Text.Encoding]::ASCII.GetString($answer) | Should -Match 'pester-plain-key'
        }

        It 'asks the host for the passphrase of a protected key, and fails cleanly when the host cannot ask (answer: <Answer>)' -ForEach @(
            @{ Answer = 'pester pass' }
            @{ Answer = $null }
        ) {
            # A runspace on a host that answers Host.UI.Prompt (tests/fixtures/prompting-host), as an
            # interactive user at pwsh's prompt would; $null is a host that cannot prompt.
            if (-not ('BuildxTests.PromptingHost' -as [type])) { Add-Type -Path (Join-Path $PSScriptRoot '../fixtures/prompting-host/PromptingHost.cs') }
            $promptingHost = [BuildxTests.PromptingHost]::new($Answer)
            $runspace = [runspacefactory]::CreateRunspace($promptingHost, [Management.Automation.Runspaces.InitialSessionState]::CreateDefault2())
            $runspace.Open()
            $ps = [powershell]::Create()
            $ps.Runspace = $runspace
            $ctx = New-Context -Dockerfile ("FROM $baseImage AS work`nCOPY agent-list /agent-list`nRUN --mount=type=ssh mkdir /out && echo $([guid]::NewGuid()) > /out/run && /agent-list > /out/identities`nFROM scratch`nCOPY --from=work /out /`n")
            Copy-Item $agentList $ctx
            $out = New-OutputPath
            try {
                $null = $ps.AddScript({
                        param($Manifest, $Context, $Out, $Key)
                        Import-Module $Manifest
                        try { $null = Invoke-BuildxBuild -Path $Context -Output @{ type = 'local'; dest = $Out } -Progress Quiet -Ssh @{ id = 'default'; paths = $Key } -ErrorAction Stop; 'built' }
                        catch { $_.FullyQualifiedErrorId }
                    }).AddArgument((Get-ModuleManifestPath)).AddArgument($ctx).AddArgument($out).AddArgument((Join-Path $keyDir 'id_locked'))
                $outcome = $ps.Invoke()
            }
            finally { $ps.Dispose(); $runspace.Dispose() }

            $promptingHost.Prompts | Should -HaveCount 1
            $promptingHost.Prompts[0] | Should -BeLike "-Ssh 'default'|Enter the passphrase for *id_locked"
            if ($Answer) {
                $outcome | Should -Be 'built'
                [Convert]::ToHexString([IO.File]::ReadAllBytes((Join-Path $out 'identities'))) | Should -Match (Get-PublicBlobHex (Join-Path $keyDir 'id_locked'))
            }
            else {
                $outcome | Should -Be "SshKeyPassphraseRequired,$cmd"
                Test-Path $out | Should -BeFalse
            }
        }

        It 'refuses <Case> with <Id> before the build' -ForEach @(
            @{ Case = 'a passphrase-protected key without a passphrase'; Key = 'id_locked'; Passphrase = $null; Id = 'SshKeyPassphraseRequired' }
            @{ Case = 'a wrong passphrase'; Key = 'id_locked'; Passphrase = 'wrong'; Id = 'SshKeyPassphraseIncorrect' }
            @{ Case = 'a malformed key file'; Key = 'id_broken'; Passphrase = $null; Id = 'SshKeyInvalid' }
            @{ Case = 'a public key file'; Key = 'id_plain.pub'; Passphrase = $null; Id = 'SshKeyInvalid' }
        ) {
            $ctx = New-Context -Dockerfile "FROM scratch`n"
            $entry = @{ id = 'default'; paths = (Join-Path $keyDir $Key) }
            if ($Passphrase) { $entry.passphrase = ConvertTo-SecureString $Passphrase -AsPlainText -Force }
            $err = { Invoke-BuildxBuild -Path $ctx -Ssh $entry -Progress Quiet } | Should -Throw -ErrorId "$Id,$cmd" -PassThru
            $err.Exception.Message | Should -Match ([regex]::Escape($Key))
            $err.CategoryInfo.Category | Should -Be 'InvalidArgument'
        }
    }
}

Describe 'Invoke-BuildxBuild -CacheFrom / -CacheTo on the docker driver' {
    It 'exports inline cache and returns the image name and digest' {
        $ctx = New-Context -Dockerfile "FROM $baseImage`nRUN echo $([guid]::NewGuid()) > /marker`n"
        $tag = "buildx-test/pester-inline-$([guid]::NewGuid().ToString('N').Substring(0, 10)):latest"
        try {
            $result = Invoke-BuildxBuild -Path $ctx -Tag $tag -CacheTo 'type=inline' -CacheFrom @{ type = 'registry'; ref = "127.0.0.1:5000/buildx-pester-absent-cache:none" } -Progress Quiet
            $result.ImageNames | Should -Be @($tag)
            $image = Invoke-EngineApi "images/$tag/json"
            ($result.ImageConfigDigest ?? $result.ImageDigest) | Should -Be $image.Id
        }
        finally { $null = Invoke-EngineApi "images/$tag`?force=1" -Method Delete }
    }

    It 'refuses a registry cache export like buildx does' {
        $ctx = New-Context -Dockerfile "FROM scratch`n"
        $err = { Invoke-BuildxBuild -Path $ctx -CacheTo 'type=registry,ref=127.0.0.1:5000/x:cache' -Progress Quiet } |
            Should -Throw -ErrorId "CacheExportNotSupported,$cmd" -PassThru
        $err.Exception.Message | Should -Match 'docker driver'
    }

    It 'refuses <Case> with <Id>' -ForEach @(
        @{ Case = 'a registry entry without ref'; Parameter = 'CacheFrom'; Value = 'type=registry'; Id = 'InvalidCacheOption' }
        @{ Case = 'a local export without dest'; Parameter = 'CacheTo'; Value = @{ type = 'local' }; Id = 'InvalidCacheOption' }
        @{ Case = 'an inline import'; Parameter = 'CacheFrom'; Value = 'type=inline'; Id = 'InvalidCacheOption' }
        @{ Case = 'an unknown mode'; Parameter = 'CacheTo'; Value = 'type=inline,mode=all'; Id = 'InvalidCacheOption' }
        @{ Case = 'a local export with an unknown mode'; Parameter = 'CacheTo'; Value = 'type=local,dest=/tmp/buildx-cache,mode=all'; Id = 'InvalidCacheOption' }
        @{ Case = 'a local export with a non-boolean oci-mediatypes'; Parameter = 'CacheTo'; Value = @{ type = 'local'; dest = '/tmp/buildx-cache'; 'oci-mediatypes' = 'yes' }; Id = 'InvalidCacheOption' }
        @{ Case = 'a local export with an unknown compression'; Parameter = 'CacheTo'; Value = 'type=local,dest=/tmp/buildx-cache,compression=lz4'; Id = 'InvalidCacheOption' }
        @{ Case = 'a local export on the docker driver (buildx refuses it too)'; Parameter = 'CacheTo'; Value = 'type=local,dest=/tmp/buildx-cache'; Id = 'CacheExportNotSupported' }
        @{ Case = 'a local export given as a hashtable on the docker driver'; Parameter = 'CacheTo'; Value = @{ type = 'local'; dest = '/tmp/buildx-cache'; mode = 'max' }; Id = 'CacheExportNotSupported' }
    ) {
        $ctx = New-Context -Dockerfile "FROM scratch`n"
        $splat = @{ $Parameter = $Value }
        { Invoke-BuildxBuild -Path $ctx @splat -Progress Quiet } | Should -Throw -ErrorId "$Id,$cmd"
    }
}

Describe 'Invoke-BuildxBuild RUN-step settings' {
    It 'adds -AddHost entries to /etc/hosts' {
        $ctx = New-Context -Dockerfile (Get-RunDockerfile 'cat /etc/hosts > /out/hosts')
        $out = New-OutputPath

        $null = Invoke-BuildxBuild -Path $ctx -Output @{ type = 'local'; dest = $out } -AddHost 'db:10.11.12.13', @{ cache = '10.11.12.14' } -Progress Quiet

        $hosts = Get-Content (Join-Path $out 'hosts') -Raw
        $hosts | Should -Match '10\.11\.12\.13\s+db'
        $hosts | Should -Match '10\.11\.12\.14\s+cache'
    }

    It 'runs steps without a network with -Network None' {
        $ctx = New-Context -Dockerfile (Get-RunDockerfile "cat /proc/net/dev > /out/dev; echo $([guid]::NewGuid()) > /out/nonce")
        $out = New-OutputPath

        $null = Invoke-BuildxBuild -Path $ctx -Output @{ type = 'local'; dest = $out } -Network None -Progress Quiet

        $interfaces = Get-Content (Join-Path $out 'dev') | Select-Object -Skip 2 | ForEach-Object { ($_ -split ':')[0].Trim() }
        $interfaces | Should -Be @('lo')
    }

    It "shares the host's network with -Network Host" {
        $hostInterfaces = Get-Content /proc/net/dev | Select-Object -Skip 2 | ForEach-Object { ($_ -split ':')[0].Trim() }
        if ('docker0' -notin $hostInterfaces) { Set-ItResult -Skipped -Because 'the host has no docker0 bridge to recognise'; return }
        $ctx = New-Context -Dockerfile (Get-RunDockerfile "cat /proc/net/dev > /out/dev; echo $([guid]::NewGuid()) > /out/nonce")
        $out = New-OutputPath

        $null = Invoke-BuildxBuild -Path $ctx -Output @{ type = 'local'; dest = $out } -Network Host -Progress Quiet

        # docker0 lives only in the host's network namespace, never in a step's own.
        $interfaces = Get-Content (Join-Path $out 'dev') | Select-Object -Skip 2 | ForEach-Object { ($_ -split ':')[0].Trim() }
        $interfaces | Should -Contain 'docker0'
    }

    It 'refuses <Case> with <Id>' -ForEach @(
        @{ Case = 'an -AddHost without address'; Splat = @{ AddHost = 'db' }; Id = 'InvalidAddHost' }
        @{ Case = 'an -AddHost with a name for address'; Splat = @{ AddHost = @{ db = 'not-an-ip' } }; Id = 'InvalidAddHost' }
        @{ Case = 'an unknown -Ulimit'; Splat = @{ Ulimit = 'files=10' }; Id = 'InvalidUlimit' }
        @{ Case = 'a -Ulimit soft above hard'; Splat = @{ Ulimit = @{ nofile = '10:5' } }; Id = 'InvalidUlimit' }
        @{ Case = 'an unknown -Network'; Splat = @{ Network = 'bridge' }; Id = 'CannotConvertArgumentNoMessage' }
        @{ Case = 'a negative -ShmSize'; Splat = @{ ShmSize = -1 }; Id = 'ParameterArgumentValidationError' }
        @{ Case = 'a -ShmSize that is not a size'; Splat = @{ ShmSize = 'lots' }; Id = 'ParameterArgumentTransformationError' }
    ) {
        $ctx = New-Context -Dockerfile "FROM scratch`n"
        { Invoke-BuildxBuild -Path $ctx @Splat -Progress Quiet } | Should -Throw -ErrorId "$Id,$cmd"
    }

    It 'accepts -ShmSize as PowerShell bytes or a size string' {
        $ctx = New-Context -Dockerfile "FROM scratch`n"
        { Invoke-BuildxBuild -Path $ctx -ShmSize 64MB -WhatIf } | Should -Not -Throw
        { Invoke-BuildxBuild -Path $ctx -ShmSize '128m' -WhatIf } | Should -Not -Throw
    }
}

Describe 'Invoke-BuildxBuild -Pull' {
    It "looks base images up in their registry instead of the engine's images" {
        # The base image exists only in the engine; with -Pull the frontend asks its registry (docker.io, unreachable here).
        $ctx = New-Context -Dockerfile "FROM $baseImage`nRUN echo $([guid]::NewGuid())`n"
        $null = Invoke-BuildxBuild -Path $ctx -Output 'type=cacheonly' -Progress Quiet

        $err = { Invoke-BuildxBuild -Path $ctx -Output 'type=cacheonly' -Pull -Progress Quiet } | Should -Throw -ErrorId "ImagePullFailed,$cmd" -PassThru
        $err.Exception.Message | Should -Match ([regex]::Escape(($baseImage -split ':')[0]))
        $err.CategoryInfo.Category | Should -Be 'ResourceUnavailable'
    }
}

Describe 'Invoke-BuildxBuild -BuildContext, -Annotation, -Attest, -Pull' {
    It 'refuses <Case> with <Id>' -ForEach @(
        @{ Case = 'an upper-case context name'; Splat = @{ BuildContext = 'Assets=./a' }; Id = 'InvalidBuildContext' }
        @{ Case = 'a missing context directory'; Splat = @{ BuildContext = @{ assets = '/nonexistent/assets' } }; Id = 'BuildContextNotFound' }
        @{ Case = 'an oci-layout context whose directory is missing'; Splat = @{ BuildContext = @{ base = 'oci-layout:///no/such/layout' } }; Id = 'BuildContextNotFound' }
        @{ Case = 'an annotation without value'; Splat = @{ Annotation = 'just-a-key' }; Id = 'InvalidAnnotation' }
        @{ Case = 'an unknown annotation type'; Splat = @{ Annotation = 'layer:k=v' }; Id = 'InvalidAnnotation' }
        @{ Case = 'an attestation without type'; Splat = @{ Attest = 'mode=max' }; Id = 'InvalidAttestation' }
        @{ Case = 'an unknown provenance mode'; Splat = @{ Provenance = 'mode=all' }; Id = 'InvalidAttestation' }
        @{ Case = 'attestations on the docker driver'; Splat = @{ Sbom = $true }; Id = 'InvalidAttestation' }
        @{ Case = 'an unknown entitlement'; Splat = @{ Allow = 'network.hots' }; Id = 'InvalidEntitlement' }
        @{ Case = 'mode=delete outside the current location without -Allow buildx.local.delete'; Splat = @{ Output = "type=local,dest=$([IO.Path]::GetTempPath())buildx-delete-$([guid]::NewGuid().ToString('N')),mode=delete" }; Id = 'InvalidOutput' }
    ) {
        $ctx = New-Context -Dockerfile "FROM scratch`n"
        { Invoke-BuildxBuild -Path $ctx @Splat -Progress Quiet } | Should -Throw -ErrorId "$Id,$cmd"
    }

    It 'sends a directory named context through the session (a disabled attestation sends nothing)' {
        # The engine's Dockerfile frontend predates named contexts, so this checks the build still
        # succeeds with the extra local served and the annotation and -Pull attributes accepted.
        $ctx = New-Context -Dockerfile "FROM scratch`nCOPY Dockerfile /`n"
        $assets = New-Context -Dockerfile 'unused'
        $out = New-OutputPath

        $result = Invoke-BuildxBuild -Path $ctx -Output @{ type = 'local'; dest = $out } -BuildContext @{ assets = $assets } `
            -Annotation 'org.opencontainers.image.title=app' -Provenance $false -Pull -Progress Quiet

        $result | Should -Not -BeNullOrEmpty
        Join-Path $out 'Dockerfile' | Should -Exist
    }
}

Describe 'Invoke-BuildxBuild -CacheTo on a docker-container builder' {
    BeforeAll {
        Initialize-StandinImage
        $store = Enter-TestStore
        $name = New-TestName -Prefix 'cache'
        $null = New-BuildxBuilder -Name $name -DriverOption (Get-StandinDriverOption) -Bootstrap
    }

    AfterAll {
        Remove-BuildxBuilder -Name $name -Force -Confirm:$false -ErrorAction SilentlyContinue
        Exit-TestStore
    }

    It "surfaces the engine BuildKit's refusal of a registry cache export" {
        # The stand-in relays to the engine's BuildKit, which has only the inline cache exporter.
        $ctx = New-Context -Dockerfile "FROM scratch`nCOPY Dockerfile /`n"
        $err = { Invoke-BuildxBuild -Builder $name -Path $ctx -CacheTo 'type=registry,ref=127.0.0.1:5000/buildx-pester-cache:c' -Output 'type=cacheonly' -Progress Quiet } |
            Should -Throw -ErrorId "CacheExportNotSupported,$cmd" -PassThru
        $err.Exception.Message | Should -Match 'unknown cache exporter'
        $err.CategoryInfo.Category | Should -Be 'InvalidOperation'
    }

    It "surfaces the refusal of a local cache export and leaves dest as it was (<Form>)" -ForEach @(
        @{ Form = 'CSV with a relative dest'; Value = 'type=local,dest=./cache,mode=max' }
        @{ Form = 'hashtable'; Value = @{ type = 'local'; dest = './cache'; mode = 'min'; tag = 'ci' } }
    ) {
        $ctx = New-Context -Dockerfile "FROM scratch`nCOPY Dockerfile /`n"
        $work = New-OutputPath
        New-Item -ItemType Directory -Path $work | Out-Null
        Push-Location $work
        try {
            $err = { Invoke-BuildxBuild -Builder $name -Path $ctx -CacheTo $Value -Output 'type=cacheonly' -Progress Quiet } |
                Should -Throw -ErrorId "CacheExportNotSupported,$cmd" -PassThru
            $err.Exception.Message | Should -Match 'unknown cache exporter: "local"'
            $err.CategoryInfo.Category | Should -Be 'InvalidOperation'
            Join-Path $work 'cache' | Should -Not -Exist
        }
        finally { Pop-Location }
    }

    It 'refuses a local cache dest that is a file before building' {
        $ctx = New-Context -Dockerfile "FROM scratch`nCOPY Dockerfile /`n"
        $file = Join-Path $ctx 'Dockerfile'
        $err = { Invoke-BuildxBuild -Builder $name -Path $ctx -CacheTo "type=local,dest=$file" -Output 'type=cacheonly' -Progress Quiet } |
            Should -Throw -ErrorId "InvalidCacheOption,$cmd" -PassThru
        $err.CategoryInfo.Category | Should -Be 'InvalidArgument'
        Get-Content $file -Raw | Should -Be "FROM scratch`nCOPY Dockerfile /`n"
    }
}

Describe 'Invoke-BuildxBuild surface completion' {
    It 'completes <Parameter> with <Expected>' -ForEach @(
        @{ Parameter = 'CacheTo'; Word = 'type=in'; Expected = "'type=inline'" }
        @{ Parameter = 'CacheFrom'; Word = 'type=lo'; Expected = "'type=local,src='" }
        @{ Parameter = 'Ssh'; Word = 'def'; Expected = "'default'" }
        @{ Parameter = 'Ulimit'; Word = 'nof'; Expected = "'nofile='" }
        @{ Parameter = 'Network'; Word = 'No'; Expected = 'None' }
    ) {
        $line = "Invoke-BuildxBuild -$Parameter $Word"
        $completions = (TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches.CompletionText
        $completions | Should -Contain $Expected
    }
}
