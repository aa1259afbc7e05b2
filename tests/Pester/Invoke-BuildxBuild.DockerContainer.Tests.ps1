# Builds through a docker-container builder: the stand-in container relays `buildctl dial-stdio`
# to the engine's BuildKit, so the session goes through Control.Session on that exec stream
# (the path every non-docker driver uses), not through the engine's /session upgrade.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-ModuleManifestPath) -Force
    Initialize-StandinImage
    $store = Enter-TestStore
    $standin = Get-StandinDriverOption
    $name = New-TestName
    $null = New-BuildxBuilder -Name $name -DriverOption $standin -Bootstrap
}

AfterAll {
    Remove-BuildxBuilder -Name $name -Force -Confirm:$false -ErrorAction SilentlyContinue
    Exit-TestStore
    Remove-TestScratch
}

Describe 'Invoke-BuildxBuild on a docker-container builder' {
    It 'sends the context and receives a local export through Control.Session' {
        $ctx = New-Context -Dockerfile "FROM scratch`nCOPY . /`n" -Files @{ 'payload.txt' = 'through the exec stream'; 'ignored.tmp' = 'x'; '.dockerignore' = '*.tmp' }
        $out = New-OutputPath

        $result = Get-BuildxBuilder -Name $name | Invoke-BuildxBuild -Path $ctx -Output @{ type = 'local'; dest = $out } -Progress Quiet

        $result.Builder | Should -Be $name
        $result.Node | Should -Be "${name}0"
        Get-Content (Join-Path $out 'payload.txt') | Should -Be 'through the exec stream'
        Join-Path $out 'ignored.tmp' | Should -Not -Exist
        $result.SessionBytesSent | Should -BeGreaterThan 0
    }

    It 'cancels the solve and ends the session within seconds when stopped (Ctrl+C)' {
        # The session's exec connection is read with poll by the session's own threads: stopping must
        # still end those waits at once.
        $baseImage = if ($env:BUILDX_TEST_BASE_IMAGE) { $env:BUILDX_TEST_BASE_IMAGE } else { 'buildx-test/busybox:latest' }
        $run = Invoke-StoppedBuild -BaseImage $baseImage -Builder $name

        $run.Started | Should -BeTrue -Because 'the RUN step must have started'
        $run.StopSeconds | Should -BeLessThan 3
        $run.StepSurvived | Should -BeFalse -Because 'the daemon must have cancelled the RUN step'
    }

    It 'warns that the result stays in the cache when no output is given' {
        $ctx = New-Context -Dockerfile "FROM scratch`nCOPY Dockerfile /`n"

        $null = Invoke-BuildxBuild -Builder $name -Path $ctx -Progress Quiet -WarningVariable warnings 3>$null

        ($warnings | Out-String) | Should -Match 'No output specified with docker-container driver'
    }

    # The engine's embedded BuildKit (behind the stand-in) has no oci or image exporter: the request
    # is built to BuildKit's documented behaviour and the daemon's refusal reaches the user whole.
    It 'surfaces the daemon''s refusal of the <Type> exporter cleanly' -ForEach @(
        @{ Type = 'oci'; Output = 'type=oci,dest={0}/x.tar,compression=zstd,compression-level=3' }
        @{ Type = 'image'; Output = 'type=image,name=buildx-pester/none:1,oci-mediatypes=true' }
    ) {
        $ctx = New-Context -Dockerfile "FROM scratch`nCOPY Dockerfile /`n"

        $err = { Invoke-BuildxBuild -Builder $name -Path $ctx -Output ($Output -f $ctx) -Progress Quiet } | Should -Throw -PassThru

        $err.FullyQualifiedErrorId | Should -BeLike 'BuildFailed,*'
        $err.Exception.Message | Should -Match "exporter `"?$Type`"? could not be found|unknown exporter"
        Join-Path $ctx 'x.tar' | Should -Not -Exist
    }

    It 'refuses an output attribute before connecting: <Output>' -ForEach @(
        @{ Output = 'type=oci,dest=x.tar,compression-level=30'; Expected = 'gzip and estargz 0-9' }
        @{ Output = 'type=docker,dest=x.tar,push=true'; Expected = "no attribute 'push'" }
    ) {
        { Invoke-BuildxBuild -Builder $name -Path $TestDrive -Output $Output -Progress Quiet } | Should -Throw -ErrorId 'InvalidOutput,*' -ExpectedMessage "*$Expected*"
    }
}
