namespace Buildx.Core.Builders;

/// <summary>Prefixes each message with the node it is about, when several nodes report at once.</summary>
internal sealed class PrefixedProgress(IProgress<string> inner, string prefix) : IProgress<string>
{
    public void Report(string value) => inner.Report(prefix + value);
}
