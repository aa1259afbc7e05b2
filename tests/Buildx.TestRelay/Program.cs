using Buildx.Core.Docker;
using Buildx.Core.Transport;
using Buildx.TestRelay;

// buildx-test-relay: a BuildKit endpoint for the Pester tests, relayed to the engine's BuildKit.
//   --unix <path> | --tcp           where to listen (tcp picks a free loopback port)
//   --certs <dir>                   make the test certificates and write them there as PEM
//   --tls server|expired|rogue      serve TLS with that server certificate (needs --certs)
//   --mutual                        require a client certificate signed by the test CA
// Prints "LISTENING <address>" once ready, and runs until stdin closes or the process is stopped.
string? unixPath = null;
var tcp = false;
string? certDirectory = null;
string? tlsMode = null;
var mutual = false;
for (var i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--unix": unixPath = args[++i]; break;
        case "--tcp": tcp = true; break;
        case "--certs": certDirectory = args[++i]; break;
        case "--tls": tlsMode = args[++i]; break;
        case "--mutual": mutual = true; break;
        default:
            await Console.Error.WriteLineAsync($"unknown argument '{args[i]}'");
            return 2;
    }
}

var dockerHost = Environment.GetEnvironmentVariable("DOCKER_HOST") is { Length: > 0 } host ? host : "unix:///var/run/docker.sock";
var engine = new DockerContext(DockerContext.DefaultName, Endpoint.Parse(dockerHost), "DOCKER_HOST");
using var certificates = certDirectory is null ? null : TestCertificates.Create();
if (certDirectory is not null)
{
    certificates!.WritePem(certDirectory);
}

RelayTls? tls = null;
if (tlsMode is not null)
{
    if (certificates is null)
    {
        await Console.Error.WriteLineAsync("--tls needs --certs");
        return 2;
    }

    var serverCertificate = tlsMode switch
    {
        "server" => certificates.Server,
        "expired" => certificates.ExpiredServer,
        "rogue" => certificates.RogueServer,
        _ => throw new ArgumentException($"unknown --tls mode '{tlsMode}'"),
    };
    tls = new RelayTls(serverCertificate, mutual ? certificates.Authority : null);
}

await using var relay = unixPath is not null ? BuildkitRelay.StartUnix(engine, unixPath, tls)
    : tcp ? BuildkitRelay.StartTcp(engine, tls)
    : throw new ArgumentException("give --unix <path> or --tcp");
Console.WriteLine($"LISTENING {relay.Address}");
await Console.Out.FlushAsync();

// Runs until stdin closes (the parent went away) or the process is stopped.
var stdin = Console.OpenStandardInput();
var buffer = new byte[256];
while (await stdin.ReadAsync(buffer) > 0)
{
}

return 0;
