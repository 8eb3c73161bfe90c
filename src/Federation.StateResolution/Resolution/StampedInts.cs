namespace Federation.StateResolution.Resolution;

/// <summary>
/// An int array indexed by event or key number that is "cleared" in O(1) by bumping a generation stamp, so one
/// resolution touches only the entries it uses however large the room graph is.
/// </summary>
internal sealed class StampedInts
{
    private int[] _stamp = [];
    private int[] _value = [];
    private int _generation;

    public void Reset(int capacity)
    {
        if (_stamp.Length < capacity)
        {
            var size = Math.Max(capacity, _stamp.Length * 2);
            _stamp = new int[size];
            _value = new int[size];
            _generation = 0;
        }

        if (++_generation == int.MaxValue)
        {
            Array.Clear(_stamp);
            _generation = 1;
        }
    }

    public bool Has(int index) => (uint)index < (uint)_stamp.Length && _stamp[index] == _generation;

    public int Get(int index, int missing = 0) => Has(index) ? _value[index] : missing;

    public bool TryGet(int index, out int value)
    {
        if (Has(index))
        {
            value = _value[index];
            return true;
        }

        value = 0;
        return false;
    }

    public void Set(int index, int value)
    {
        if ((uint)index >= (uint)_stamp.Length)
        {
            Array.Resize(ref _stamp, Math.Max(index + 1, _stamp.Length * 2));
            Array.Resize(ref _value, _stamp.Length);
        }

        _stamp[index] = _generation;
        _value[index] = value;
    }
}
