namespace Buildx.Core.Transport;

/// <summary>A dialed stream whose explained failures are kept in a <see cref="TransportFaultLog"/>.</summary>
internal sealed class FaultRecordingStream(Stream inner, TransportFaultLog log) : FailureTranslatingStream(inner)
{
    /// <summary>Records and lets every failure through as it was.</summary>
    protected override Exception? Translate(Exception failure)
    {
        if (failure is IOException)
        {
            log.Record(failure);
        }

        return null;
    }
}
