# New-BuildxBuilder -Driver remote against a real BuildKit: the relay process (tests/Buildx.TestRelay)
# relays each connection to the engine's BuildKit, plain or over TLS with certificates it made.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-ModuleManifestPath) -Force
    $store = Enter-TestStore
    $work = New-Item -ItemType Directory -Path (Join-Path ([IO.Path]::GetTempPath()) ("buildx-remote-" + [guid]::NewGuid().ToString('N')))
    $certs = Join-Path $work 'certs'
    $plainTcp = Start-TestRelay
    $unix = Start-TestRelay -UnixSocket (Join-Path $work 'buildkitd.sock')
    $mutual = Start-TestRelay -CertDirectory $certs -Tls server -Mutual
}

AfterAll {
    foreach ($relay in $plainTcp, $unix, $mutual) { if ($relay) { Stop-TestRelay $relay } }
    Exit-TestStore
    Remove-Item $work -Recurse -Force -ErrorAction Ignore
}

Describe 'New-BuildxBuilder -Driver remote' {
    It 'creates a running builder on a unix socket, stored as buildx stores it' {
        $name = New-TestName

        $builder = New-BuildxBuilder -Name $name -Driver remote -Endpoint $unix.Address -WarningVariable warnings

        $builder.Driver | Should -Be 'remote'
        $builder.Nodes[0].Status | Should -Be 'Running'
        $builder.Nodes[0].Platforms | Should -Contain 'linux/amd64'
        $warnings | Should -BeNullOrEmpty
        $stored = Get-Content (Join-Path $store "instances/$name") -Raw | ConvertFrom-Json
        $stored.Nodes[0].Endpoint | Should -Be $unix.Address
        $stored.Nodes[0].Flags | Should -BeNullOrEmpty
    }

    It 'warns that anyone who can reach a plain TCP port can use the daemon' {
        $name = New-TestName

        $builder = New-BuildxBuilder -Name $name -Endpoint $plainTcp.Address -WarningVariable warnings 3>$null

        $builder.Driver | Should -Be 'remote'
        $builder.Nodes[0].Status | Should -Be 'Running'
        ($warnings | Out-String) | Should -Match 'anyone who can reach that port can use the BuildKit daemon'
    }

    It 'takes BUILDKIT_HOST when neither a driver nor an endpoint is given' {
        $name = New-TestName
        $env:BUILDKIT_HOST = $unix.Address
        try {
            $builder = New-BuildxBuilder -Name $name
        }
        finally {
            Remove-Item Env:BUILDKIT_HOST
        }

        $builder.Driver | Should -Be 'remote'
        $builder.Nodes[0].Endpoint | Should -Be $unix.Address
    }

    It 'connects with mutual TLS from PowerShell paths, stored as the cacert, cert and key options' {
        $name = New-TestName
        Push-Location $certs
        try {
            $builder = New-BuildxBuilder -Name $name -Endpoint $mutual.Address -CACertificate ./ca.pem -Certificate ./client.pem -Key ./client-key.pem -WarningVariable warnings
        }
        finally {
            Pop-Location
        }

        $builder.Nodes[0].Status | Should -Be 'Running'
        $warnings | Should -BeNullOrEmpty
        $builder.Nodes[0].DriverOptions['cacert'] | Should -Be (Join-Path $certs 'ca.pem')
        $builder.Nodes[0].DriverOptions['key'] | Should -Be (Join-Path $certs 'client-key.pem')
    }

    It 'connects with mutual TLS from certificate objects, written as PEM files under the store' {
        $name = New-TestName
        $ca = [Security.Cryptography.X509Certificates.X509Certificate2]::CreateFromPem((Get-Content (Join-Path $certs 'ca.pem') -Raw))
        $client = [Security.Cryptography.X509Certificates.X509Certificate2]::CreateFromPemFile((Join-Path $certs 'client.pem'), (Join-Path $certs 'client-key.pem'))

        $builder = New-BuildxBuilder -Name $name -Endpoint $mutual.Address -CACertificate $ca -ClientCertificate $client

        $builder.Nodes[0].Status | Should -Be 'Running'
        $written = Join-Path $store "certs/$name/${name}0"
        $builder.Nodes[0].DriverOptions['cacert'] | Should -Be (Join-Path $written 'ca.pem')
        Join-Path $written 'key.pem' | Should -Exist
    }

    It 'the same options work as -DriverOption, and a failed TLS check stops the create with its own id' {
        $name = New-TestName
        $options = @{ cacert = (Join-Path $certs 'rogue-ca.pem'); cert = (Join-Path $certs 'client.pem'); key = (Join-Path $certs 'client-key.pem') }

        $failure = { New-BuildxBuilder -Name $name -Endpoint $mutual.Address -DriverOption $options -Bootstrap } |
            Should -Throw -ErrorId 'TlsUnknownAuthority,Buildx.PowerShell.Cmdlets.NewBuildxBuilderCommand' -PassThru

        $failure.Exception.Message | Should -Match 'signed by an unknown authority'
        Join-Path $store "instances/$name" | Should -Not -Exist
    }

    It 'lists a node whose TLS check fails as inactive, with the reason' {
        $name = New-TestName
        $null = New-BuildxBuilder -Name $name -Endpoint $mutual.Address -CACertificate (Join-Path $certs 'ca.pem') -ServerName 'wrong.example'

        $node = (Get-BuildxBuilder -Name $name).Nodes[0]

        $node.Status | Should -Be 'Inactive'
        $node.StatusReasonId | Should -Be 'TlsNameMismatch'
        $node.StatusReason | Should -Match "not valid for the name 'wrong.example'"
        # The default views show the reason's id beside the status.
        Get-BuildxBuilder -Name $name | Format-Table | Out-String -Width 300 | Should -Match 'inactive \(TlsNameMismatch\)'
        $node | Format-Table | Out-String -Width 300 | Should -Match 'inactive \(TlsNameMismatch\)'
    }

    It 'keeps a kube-pod endpoint as buildx does; without a kubeconfig the node is inactive and says why' {
        $name = New-TestName
        $savedKubeconfig = $env:KUBECONFIG
        $env:KUBECONFIG = Join-Path ([IO.Path]::GetTempPath()) 'no-such-kubeconfig'
        try {
            $builder = New-BuildxBuilder -Name $name -Endpoint 'kube-pod://buildkitd-0?namespace=ci&container=buildkitd'
        }
        finally {
            $env:KUBECONFIG = $savedKubeconfig
        }

        $builder.Nodes[0].Status | Should -Be 'Inactive'
        $builder.Nodes[0].StatusReasonId | Should -Be 'KubeconfigInvalid'
        (Get-Content (Join-Path $store "instances/$name") -Raw | ConvertFrom-Json).Nodes[0].Endpoint | Should -Be 'kube-pod://buildkitd-0?namespace=ci&container=buildkitd'
    }

    It 'refuses bad endpoints and settings with stable ids, storing nothing' {
        $name = New-TestName
        { New-BuildxBuilder -Name $name -Driver remote } | Should -Throw -ErrorId 'RemoteEndpointRequired,Buildx.PowerShell.Cmdlets.NewBuildxBuilderCommand'
        { New-BuildxBuilder -Name $name -Driver remote -Endpoint 'tcp://127.0.0.1' } | Should -Throw -ErrorId 'InvalidEndpoint,Buildx.PowerShell.Cmdlets.NewBuildxBuilderCommand'
        { New-BuildxBuilder -Name $name -Endpoint 'kube-pod://Bad_Pod' } | Should -Throw -ErrorId 'InvalidEndpoint,Buildx.PowerShell.Cmdlets.NewBuildxBuilderCommand'
        { New-BuildxBuilder -Name $name -Endpoint 'ssh://me@host' } | Should -Throw -ErrorId 'RemoteSchemeNotSupported,Buildx.PowerShell.Cmdlets.NewBuildxBuilderCommand'
        { New-BuildxBuilder -Name $name -Endpoint $unix.Address -BuildkitdFlag '--debug' } | Should -Throw -ErrorId 'RemoteDriverSettingNotSupported,Buildx.PowerShell.Cmdlets.NewBuildxBuilderCommand'
        { New-BuildxBuilder -Name $name -Endpoint $unix.Address -DriverOption @{ servername = 'x' } } | Should -Throw -ErrorId 'InvalidDriverOption,Buildx.PowerShell.Cmdlets.NewBuildxBuilderCommand' -ExpectedMessage '*need cacert*'
        { New-BuildxBuilder -Name $name -Endpoint $unix.Address -DriverOption @{ cacrt = '/ca.pem' } } | Should -Throw -ErrorId 'UnknownDriverOption,Buildx.PowerShell.Cmdlets.NewBuildxBuilderCommand' -ExpectedMessage "*Did you mean 'cacert'*"
        { New-BuildxBuilder -Name $name -Endpoint $unix.Address -CACertificate (Join-Path $certs 'nope.pem') } | Should -Throw -ErrorId 'TlsFileUnreadable,Buildx.PowerShell.Cmdlets.NewBuildxBuilderCommand'
        Join-Path $store "instances/$name" | Should -Not -Exist
    }

    It 'adds a remote node with Add-BuildxBuilderNode and removes the builder without -KeepDaemon' {
        $name = New-TestName
        $null = New-BuildxBuilder -Name $name -Endpoint $unix.Address
        Add-BuildxBuilderNode -Name $name -Endpoint $mutual.Address -CACertificate (Join-Path $certs 'ca.pem') -Certificate (Join-Path $certs 'client.pem') -Key (Join-Path $certs 'client-key.pem')

        (Get-BuildxBuilder -Name $name).Nodes.Status | Should -Be @('Running', 'Running')

        Remove-BuildxBuilder -Name $name -Force -Confirm:$false
        Join-Path $store "instances/$name" | Should -Not -Exist
    }
}
