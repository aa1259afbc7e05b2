using System.Net;
using Buildx.Core.Errors;

namespace Buildx.Core.Builds.Options;

/// <summary>One <c>--add-host</c> entry: a host name and the address RUN steps resolve it to.</summary>
public sealed record HostEntry(string Host, string Address)
{
    /// <summary>Docker's special address: the engine's gateway to the host, resolved before the build (docker driver only).</summary>
    public const string HostGateway = "host-gateway";

    internal const string Accepted = "Give 'host:ip' or 'host=ip' such as 'db:10.0.0.5' or 'host.docker.internal:host-gateway', or a hashtable such as @{ db='10.0.0.5' }.";

    public static HostEntry Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        // host=ip, or host:ip split at the first colon (an IPv6 address keeps its colons).
        var separator = text.IndexOf('=', StringComparison.Ordinal);
        if (separator < 0)
        {
            separator = text.IndexOf(':', StringComparison.Ordinal);
        }

        if (separator <= 0)
        {
            throw OptionText.Invalid(ErrorIds.InvalidAddHost, "AddHost", $"'{text}' is not host:ip. {Accepted}");
        }

        return Create(text[..separator], text[(separator + 1)..]);
    }

    public static HostEntry Create(string host, string address)
    {
        ArgumentNullException.ThrowIfNull(host);
        ArgumentNullException.ThrowIfNull(address);
        host = host.Trim();
        address = address.Trim();
        if (host.Length == 0 || host.Any(c => char.IsWhiteSpace(c) || c is ',' or '=' or ':'))
        {
            throw OptionText.Invalid(ErrorIds.InvalidAddHost, "AddHost", $"'{host}' is not a host name. {Accepted}");
        }

        if (address == HostGateway)
        {
            return new HostEntry(host, HostGateway);
        }

        // docker accepts IPv6 in brackets too.
        var bare = address.StartsWith('[') && address.EndsWith(']') ? address[1..^1] : address;
        if (!IPAddress.TryParse(bare, out _))
        {
            throw OptionText.Invalid(ErrorIds.InvalidAddHost, "AddHost", $"'{address}' for host '{host}' is not an IP address. {Accepted}");
        }

        return new HostEntry(host, bare);
    }

    public override string ToString() => $"{Host}={Address}";
}
