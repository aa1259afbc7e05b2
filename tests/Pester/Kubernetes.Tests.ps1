# The kubernetes driver end to end through the cmdlets: against the Kubernetes API double (a
# process serving the REST paths and the WebSocket exec, routed to the engine's BuildKit), and the
# same tests against a real cluster when KUBECONFIG names one (reported skipped otherwise).

BeforeDiscovery {
    $targets = @(
        @{ Target = 'double'; Skip = $false }
        @{ Target = 'KUBECONFIG cluster'; Skip = [string]::IsNullOrEmpty($env:KUBECONFIG) }
    )
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-ModuleManifestPath) -Force
    $store = Enter-TestStore
    $work = Join-Path ([IO.Path]::GetTempPath()) ("buildx-kube-" + [guid]::NewGuid().ToString('N'))
    New-Item -ItemType Directory -Path $work | Out-Null

    # Start the double as a process; it writes a kubeconfig for itself and prints its URL.
    $double = Get-ChildItem (Join-Path (Get-RepositoryRoot) 'tests/Buildx.KubeApiDouble/bin') -Recurse -Filter 'Buildx.KubeApiDouble.dll' |
        Sort-Object LastWriteTime -Descending | Select-Object -First 1
    if (-not $double) { throw 'The Kubernetes API double is not built; run build.ps1 Build.' }
    $doubleConfig = Join-Path $work 'double.kubeconfig'
    $start = [Diagnostics.ProcessStartInfo]::new('dotnet')
    foreach ($argument in @($double.FullName, '--kubeconfig', $doubleConfig, '--engine', (Get-EngineSocket), '--namespace', 'buildkit', '--node-arch', 'arm64')) {
        $start.ArgumentList.Add($argument)
    }
    $start.RedirectStandardInput = $true
    $start.RedirectStandardOutput = $true
    $start.UseShellExecute = $false
    $doubleProcess = [Diagnostics.Process]::Start($start)
    $doubleUrl = $doubleProcess.StandardOutput.ReadLine()
    if ($doubleUrl -notlike 'http://*') { throw "The API double did not start: '$doubleUrl'" }

    function Get-KubeConfigFor([string] $Target) {
        if ($Target -eq 'double') { $doubleConfig } else { $env:KUBECONFIG }
    }

    function Get-DoubleObject([string] $Path) {
        # One object from the double's REST API; a 404 is $null.
        $answer = Invoke-RestMethod -Uri "$doubleUrl/$Path" -Headers @{ Authorization = 'Bearer double-token' } -SkipHttpErrorCheck -StatusCodeVariable status
        if ($status -eq 404) { return $null }
        if ($status -ge 400) { throw "GET $Path failed ($status)" }
        $answer
    }
}

AfterAll {
    if ($doubleProcess -and -not $doubleProcess.HasExited) {
        $doubleProcess.StandardInput.Close()
        if (-not $doubleProcess.WaitForExit(5000)) { $doubleProcess.Kill() }
    }
    Remove-Item $work -Recurse -Force -ErrorAction Ignore
    Exit-TestStore
}

Describe 'kubernetes builders on <Target>' -ForEach $targets {
    It 'creates, starts, builds through a pod exec, and removes exactly what it created' -Skip:$Skip {
        $name = New-TestName 'kube'
        $config = Get-KubeConfigFor $Target
        $builder = New-BuildxBuilder -Name $name -Driver kubernetes -KubeConfig $config -Bootstrap -ErrorAction Stop -DriverOption @{
            namespace    = 'buildkit'
            nodeselector = @{ 'kubernetes.io/arch' = 'amd64'; 'kubernetes.io/os' = 'linux' }
            tolerations  = @(
                @{ key = 'dedicated'; operator = 'Equal'; value = 'builds'; effect = 'NoSchedule' }
                @{ key = 'spot'; operator = 'Exists'; effect = 'NoExecute'; tolerationSeconds = 300 }
            )
            labels       = @{ tier = 'build' }
        }
        try {
            $builder.Nodes[0].Status | Should -Be 'Running'
            $stored = Get-Content (Join-Path $store "instances/$name") -Raw | ConvertFrom-Json -AsHashtable
            $stored.Nodes[0].Endpoint | Should -BeLike "kubernetes:///$name`?deployment=buildkit-*&kubeconfig=*"
            $stored.Nodes[0].DriverOpts.nodeselector | Should -Be 'kubernetes.io/arch=amd64,kubernetes.io/os=linux'
            $stored.Nodes[0].DriverOpts.tolerations | Should -Be 'effect=NoSchedule,key=dedicated,operator=Equal,value=builds;effect=NoExecute,key=spot,operator=Exists,tolerationSeconds=300'

            if ($Target -eq 'double') {
                $deployment = Get-DoubleObject "apis/apps/v1/namespaces/buildkit/deployments/${name}0"
                $pod = $deployment.spec.template.spec
                $pod.nodeSelector.'kubernetes.io/arch' | Should -Be 'amd64'
                $pod.tolerations[0].key | Should -Be 'dedicated'
                $pod.tolerations[1].operator | Should -Be 'Exists'
                $pod.tolerations[1].tolerationSeconds | Should -Be 300
                $deployment.spec.selector.matchLabels.tier | Should -Be 'build'
                $pod.containers[0].securityContext.privileged | Should -BeTrue
            }

            $context = Join-Path $work "ctx-$name"
            New-Item -ItemType Directory -Path $context | Out-Null
            Set-Content (Join-Path $context 'Dockerfile') "FROM scratch`nCOPY . /`n" -NoNewline
            Set-Content (Join-Path $context 'hello.txt') 'hello from a kubernetes builder' -NoNewline
            $output = Join-Path $work "out-$name"
            Invoke-BuildxBuild -Path $context -Builder $name -Output @{ type = 'local'; dest = $output } -Progress quiet -ErrorAction Stop | Out-Null
            Get-Content (Join-Path $output 'hello.txt') -Raw | Should -Be 'hello from a kubernetes builder'
        }
        finally {
            Remove-BuildxBuilder $name -Force -ErrorAction Stop
        }

        Test-Path (Join-Path $store "instances/$name") | Should -BeFalse
        if ($Target -eq 'double') {
            Get-DoubleObject "apis/apps/v1/namespaces/buildkit/deployments/${name}0" | Should -BeNullOrEmpty
        }
    }

    It 'removes with -KeepDaemon from the store only' -Skip:$Skip {
        $name = New-TestName 'kube'
        $null = New-BuildxBuilder -Name $name -Driver kubernetes -KubeConfig (Get-KubeConfigFor $Target) -Bootstrap -DriverOption @{ namespace = 'buildkit' } -ErrorAction Stop
        Remove-BuildxBuilder $name -KeepDaemon -Force -ErrorAction Stop
        Test-Path (Join-Path $store "instances/$name") | Should -BeFalse
        if ($Target -eq 'double') {
            (Get-DoubleObject "apis/apps/v1/namespaces/buildkit/deployments/${name}0").metadata.name | Should -Be "${name}0"
        }
    }
}

Describe 'native multi-arch kubernetes builders' {
    It 'runs one Deployment per architecture on matching cluster nodes and removes both' {
        $name = New-TestName 'kube'
        $null = New-BuildxBuilder -Name $name -Driver kubernetes -KubeConfig $doubleConfig -Node "$name-amd64" -Platform linux/amd64 -Bootstrap -ErrorAction Stop `
            -DriverOption @{ namespace = 'buildkit'; nodeselector = @{ 'kubernetes.io/arch' = 'amd64' } }
        Add-BuildxBuilderNode $name "$name-arm64" -KubeConfig $doubleConfig -Platform linux/arm64 -Bootstrap -ErrorAction Stop `
            -DriverOption @{ namespace = 'buildkit'; nodeselector = @{ 'kubernetes.io/arch' = 'arm64' } }

        $builder = Get-BuildxBuilder $name
        $builder.Nodes.Name | Should -Be @("$name-amd64", "$name-arm64")
        $builder.Nodes.Status | Should -Be @('Running', 'Running')
        $builder.Nodes[0].Platforms | Should -Contain 'linux/amd64'
        $builder.Nodes[1].Platforms | Should -Contain 'linux/arm64'
        $arm = Get-DoubleObject "apis/apps/v1/namespaces/buildkit/deployments/$name-arm64"
        $arm.metadata.annotations.'buildx.docker.com/platform' | Should -Be 'linux/arm64'
        $pods = Get-DoubleObject "api/v1/namespaces/buildkit/pods?labelSelector=app%3D$name-arm64"
        $pods.items[0].spec.nodeName | Should -Be 'double-node-arm64'
        # Each node names its running pod, with the platforms of the pod's annotation, as buildx's dynamic nodes.
        $builder.Dynamic | Should -BeTrue
        $builder.Nodes[1].Pods.Name | Should -Be @($pods.items[0].metadata.name)
        $builder.Nodes[1].Pods[0].Platforms | Should -Be @('linux/arm64')

        $script = "Import-Module '$(Get-ModuleManifestPath)'; Remove-BuildxBuilder $name -WhatIf"
        $whatIf = (Invoke-ChildPwsh -NoProfile -NonInteractive -Command $script) -join "`n"
        $whatIf | Should -Match ([regex]::Escape("delete Deployment buildkit/$name-amd64"))
        $whatIf | Should -Match ([regex]::Escape("delete Deployment buildkit/$name-arm64"))
        $whatIf | Should -Match 'kind: Deployment'
        Get-DoubleObject "apis/apps/v1/namespaces/buildkit/deployments/$name-arm64" | Should -Not -BeNullOrEmpty

        Remove-BuildxBuilder $name -Force -ErrorAction Stop
        Get-DoubleObject "apis/apps/v1/namespaces/buildkit/deployments/$name-amd64" | Should -BeNullOrEmpty
        Get-DoubleObject "apis/apps/v1/namespaces/buildkit/deployments/$name-arm64" | Should -BeNullOrEmpty
    }
}

Describe 'kubernetes manifests' {
    It 'shows the objects as YAML with -WhatIf and creates nothing' {
        $name = New-TestName 'kube'
        $script = "Import-Module '$(Get-ModuleManifestPath)'; New-BuildxBuilder -Name $name -Driver kubernetes -KubeConfig '$doubleConfig' -DriverOption @{ replicas = 2; rootless = `$true } -WhatIf"
        $output = (Invoke-ChildPwsh -NoProfile -NonInteractive -Command $script) -join "`n"

        $output | Should -Match ([regex]::Escape("Kubernetes objects created when the builder is first started: Deployment default/${name}0"))
        $output | Should -Match 'kind: Deployment'
        $output | Should -Match "name: ${name}0"
        $output | Should -Match 'replicas: 2'
        $output | Should -Match 'moby/buildkit:buildx-stable-1-rootless'
        $output | Should -Not -Match 'privileged'
        Test-Path (Join-Path $store "instances/$name") | Should -BeFalse
    }

    It 'exports a builder''s objects to a file' {
        $name = New-TestName 'kube'
        $tomlPath = Join-Path $work "$name.toml"
        Set-Content $tomlPath "debug = true`n" -NoNewline
        $null = New-BuildxBuilder -Name $name -Driver kubernetes -KubeConfig $doubleConfig -BuildkitdConfig $tomlPath -DriverOption @{ namespace = 'buildkit'; replicas = 3 } -ErrorAction Stop
        try {
            $path = Join-Path $work "$name.yaml"
            $file = Export-BuildxBuilderManifest $name -Path $path -ErrorAction Stop

            $file.FullName | Should -Be $path
            $yaml = Get-Content $path -Raw
            ($yaml -split "(?m)^---`n" | Where-Object { $_ }).Count | Should -Be 2
            $yaml | Should -Match "kind: ConfigMap"
            $yaml | Should -Match "name: ${name}0-config"
            $yaml | Should -Match "kind: Deployment"
            $yaml | Should -Match "namespace: buildkit"
            $yaml | Should -Match 'replicas: 3'
            { Export-BuildxBuilderManifest $name -Path $path -ErrorAction Stop } | Should -Throw -ErrorId 'ManifestFileExists*'
            Export-BuildxBuilderManifest $name | Should -Be $yaml
        }
        finally {
            Remove-BuildxBuilder $name -KeepDaemon -Force
        }
    }

    It 'refuses a builder of another driver' {
        $name = New-TestName
        $null = New-BuildxBuilder -Name $name -DriverOption (Get-StandinDriverOption) -ErrorAction Stop
        { Export-BuildxBuilderManifest $name -ErrorAction Stop } | Should -Throw -ErrorId 'NotKubernetesBuilder*'
        Remove-BuildxBuilder $name -Force
    }

    It 'refuses a mistyped kubernetes option with a suggestion' {
        { New-BuildxBuilder -Name (New-TestName) -Driver kubernetes -KubeConfig $doubleConfig -DriverOption @{ nodeselecter = 'a=b' } -ErrorAction Stop } |
            Should -Throw -ErrorId 'UnknownDriverOption*' -ExpectedMessage "*Did you mean 'nodeselector'*"
    }
}
