using Buildx.KubeApiDouble;

// Runs the double as a process for Pester: writes a kubeconfig, prints the URL, serves until stdin closes.
//   dotnet Buildx.KubeApiDouble.dll --kubeconfig PATH [--engine /run/docker.sock] [--namespace NS]... [--node-arch ARCH]...
var kubeconfig = Argument("--kubeconfig") ?? throw new ArgumentException("--kubeconfig PATH is required");
var engine = Argument("--engine") ?? "/run/docker.sock";
await using var server = await KubeApiServer.StartAsync(engine);
foreach (var ns in Arguments("--namespace"))
{
    server.Cluster.AddNamespace(ns);
}

foreach (var architecture in Arguments("--node-arch"))
{
    server.Cluster.AddNode(SimulatedNode.Linux($"double-node-{architecture}", architecture));
}

server.WriteKubeconfig(kubeconfig);
Console.WriteLine(server.Url);
await Console.In.ReadToEndAsync();

string? Argument(string name) => Arguments(name).LastOrDefault();

IEnumerable<string> Arguments(string name)
{
    for (var i = 0; i < args.Length - 1; i++)
    {
        if (args[i] == name)
        {
            yield return args[i + 1];
        }
    }
}
