using Buildx.Core.Errors;

namespace Buildx.Core.Transport;

/// <summary>
/// The last explained failure of a channel's transport: a <see cref="BuildxException"/> that a dialed
/// stream threw inside an IOException (a refused client certificate, say). The HTTP/2 handler passes it
/// on to the failed call only when the failure hits that call's own read or write; when the connection
/// dies during its setup it reports a generic "could not be established", and which one happens is a
/// race. The client looks here before giving up on an explanation.
/// </summary>
internal sealed class TransportFaultLog
{
    private BuildxException? last;

    public BuildxException? Last => Volatile.Read(ref last);

    /// <summary>Keeps the explanation inside <paramref name="exception"/>, if any; false, for use in exception filters.</summary>
    public bool Record(Exception exception)
    {
        for (Exception? inner = exception; inner is not null; inner = inner.InnerException)
        {
            if (inner is BuildxException explained)
            {
                Volatile.Write(ref last, explained);
                break;
            }
        }

        return false;
    }
}
