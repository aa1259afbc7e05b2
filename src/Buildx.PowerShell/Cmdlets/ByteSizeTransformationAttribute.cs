using System.Globalization;
using System.Management.Automation;
using Buildx.Core.Docker;

namespace Buildx.PowerShell.Cmdlets;

/// <summary>
/// Lets a size parameter take a number of bytes (<c>10GB</c> is one in PowerShell) or buildx's
/// size strings (<c>10g</c>, <c>512m</c>, binary units).
/// </summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
public sealed class ByteSizeTransformationAttribute : ArgumentTransformationAttribute
{
    public override object Transform(EngineIntrinsics engineIntrinsics, object inputData)
    {
        var value = inputData is PSObject wrapped ? wrapped.BaseObject : inputData;
        switch (value)
        {
            case string text:
                try
                {
                    return DockerMemoryBytes.Parse(text);
                }
                catch (FormatException ex)
                {
                    throw new ArgumentTransformationMetadataException($"'{text}' is not a size: {ex.Message}. Give bytes (10GB) or a size such as 10g or 512m.", ex);
                }

            case IConvertible number when value is not bool:
                return Convert.ToInt64(number, CultureInfo.InvariantCulture);
            default:
                throw new ArgumentTransformationMetadataException($"'{value}' is not a size. Give bytes (10GB) or a size such as 10g or 512m.");
        }
    }
}
