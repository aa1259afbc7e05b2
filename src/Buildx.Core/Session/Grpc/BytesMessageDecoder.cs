namespace Buildx.Core.Session.Grpc;

/// <summary>
/// Pulls the payloads out of a stream of gRPC-framed <c>BytesMessage</c>s that arrives in arbitrary
/// pieces (DATA frames), without buffering: field 1's bytes come back as slices of the input, any
/// other field is skipped. (A message with field 1 twice would yield both; protobuf encoders never write that.)
/// Malformed input throws <see cref="InvalidDataException"/>.
/// </summary>
internal sealed class BytesMessageDecoder
{
    private const int PrefixLength = GrpcMessageSource.PrefixLength;

    private State state = State.Prefix;
    private int prefixRead;
    private uint messageLength;
    private long messageRemaining;
    private long fieldRemaining;
    private ulong varint;
    private int varintShift;
    private bool fieldIsData;

    private enum State
    {
        Prefix,
        Tag,
        Length,
        SkipVarint,
        Payload,
        Skip,
    }

    /// <summary>The input so far ended exactly between messages.</summary>
    public bool AtMessageBoundary => state == State.Prefix && prefixRead == 0;

    /// <summary>
    /// Consumes <paramref name="input"/> from the front until payload bytes turn up (returned as a slice
    /// of it, true) or the input is used up (false).
    /// </summary>
    public bool TryReadPayload(ref ReadOnlySpan<byte> input, out ReadOnlySpan<byte> payload)
    {
        while (!input.IsEmpty)
        {
            switch (state)
            {
                case State.Prefix:
                    ReadPrefixOctet(input[0]);
                    input = input[1..];
                    break;
                case State.Tag:
                case State.Length:
                case State.SkipVarint:
                    ReadVarintOctet(input[0]);
                    input = input[1..];
                    break;
                case State.Payload:
                    var count = (int)Math.Min(input.Length, fieldRemaining);
                    payload = input[..count];
                    input = input[count..];
                    ConsumeField(count);
                    return true;
                case State.Skip:
                    var skipped = (int)Math.Min(input.Length, fieldRemaining);
                    input = input[skipped..];
                    ConsumeField(skipped);
                    break;
            }
        }

        payload = default;
        return false;
    }

    private void ReadPrefixOctet(byte octet)
    {
        if (prefixRead == 0)
        {
            if (octet != 0)
            {
                // No grpc-encoding is negotiated, so nothing may arrive compressed.
                throw new InvalidDataException(octet == 1
                    ? "a compressed gRPC message although no compression was negotiated"
                    : $"an invalid gRPC message flag {octet}");
            }

            messageLength = 0;
        }
        else
        {
            messageLength = (messageLength << 8) | octet;
        }

        if (++prefixRead < PrefixLength)
        {
            return;
        }

        prefixRead = 0;
        if (messageLength > 0)
        {
            messageRemaining = messageLength;
            StartVarint(State.Tag);
        }
    }

    private void ReadVarintOctet(byte octet)
    {
        if (messageRemaining == 0)
        {
            throw new InvalidDataException("a BytesMessage field runs past the end of its message");
        }

        messageRemaining--;
        if (state == State.SkipVarint)
        {
            if ((octet & 0x80) == 0)
            {
                EndField();
            }

            return;
        }

        if (varintShift > 63)
        {
            throw new InvalidDataException("a protobuf varint longer than 10 octets");
        }

        varint |= (ulong)(octet & 0x7f) << varintShift;
        varintShift += 7;
        if ((octet & 0x80) != 0)
        {
            return;
        }

        if (state == State.Tag)
        {
            StartField(varint);
        }
        else
        {
            if (varint > (ulong)messageRemaining)
            {
                throw new InvalidDataException("a BytesMessage field is longer than its message");
            }

            fieldRemaining = (long)varint;
            state = fieldIsData ? State.Payload : State.Skip;
            if (fieldRemaining == 0)
            {
                EndField();
            }
        }
    }

    private void StartField(ulong tag)
    {
        if (tag >> 3 == 0)
        {
            throw new InvalidDataException("a protobuf field number 0");
        }

        switch (tag & 7)
        {
            case 0:
                state = State.SkipVarint;
                break;
            case 1:
                StartSkip(8);
                break;
            case 2:
                fieldIsData = tag >> 3 == 1;
                StartVarint(State.Length);
                break;
            case 5:
                StartSkip(4);
                break;
            default:
                throw new InvalidDataException($"an unsupported protobuf wire type {tag & 7}");
        }
    }

    private void StartSkip(int length)
    {
        if (length > messageRemaining)
        {
            throw new InvalidDataException("a BytesMessage field runs past the end of its message");
        }

        fieldRemaining = length;
        state = State.Skip;
    }

    private void StartVarint(State next)
    {
        varint = 0;
        varintShift = 0;
        state = next;
    }

    private void ConsumeField(int count)
    {
        fieldRemaining -= count;
        messageRemaining -= count;
        if (fieldRemaining == 0)
        {
            EndField();
        }
    }

    private void EndField()
    {
        if (messageRemaining == 0)
        {
            state = State.Prefix;
        }
        else
        {
            StartVarint(State.Tag);
        }
    }
}
