namespace Descent.Kernels;

/// <summary>
/// The geometry of a 2-D pooling window over <see cref="Planes"/> = N·C planes of H × W (NCHW, each plane contiguous):
/// a kernel KH × KW moved by strides SH, SW over the input padded by PH, PW on each side. PyTorch's output size
/// (ceil_mode = false): OH = ⌊(H + 2·PH − KH)/SH⌋ + 1, OW = ⌊(W + 2·PW − KW)/SW⌋ + 1. Window (oh, ow) covers the padded
/// rows [oh·SH − PH, oh·SH − PH + KH) and columns [ow·SW − PW, ow·SW − PW + KW).
/// </summary>
internal readonly record struct Pool2dShape(int Planes, int H, int W, int KH, int KW, int SH, int SW, int PH, int PW)
{
    /// <summary>Output height ⌊(H + 2·PH − KH)/SH⌋ + 1.</summary>
    public int OH => (H + 2 * PH - KH) / SH + 1;

    /// <summary>Output width ⌊(W + 2·PW − KW)/SW⌋ + 1.</summary>
    public int OW => (W + 2 * PW - KW) / SW + 1;

    /// <summary>Elements of the input, Planes·H·W.</summary>
    public int InputLength => Planes * H * W;

    /// <summary>Elements of the output, Planes·OH·OW.</summary>
    public int OutputLength => Planes * OH * OW;

    /// <summary>Throws unless the spans fit this geometry (the kernels' one argument check).</summary>
    internal void CheckLengths(string kernel, int input, int output, int argmax)
    {
        CheckLengths(kernel, input, output);
        if (argmax != output) throw new ArgumentException($"{kernel}: argmax has {argmax} elements, expected {output}.");
    }

    /// <summary>Throws unless the spans fit this geometry (the kernels' one argument check).</summary>
    internal void CheckLengths(string kernel, int input, int output)
    {
        if (Planes < 0 || H <= 0 || W <= 0 || KH <= 0 || KW <= 0 || SH <= 0 || SW <= 0 || PH < 0 || PW < 0 || PH > KH / 2 || PW > KW / 2 || OH <= 0 || OW <= 0)
            throw new ArgumentException($"{kernel}: invalid pooling geometry {this}.");
        if (input != InputLength || output != OutputLength)
            throw new ArgumentException($"{kernel}: spans of {input} and {output} elements do not fit {this} (expected {InputLength} and {OutputLength}).");
    }

    /// <summary>Throws unless the spans fit adaptive pooling of planes [h, w] to [oh, ow].</summary>
    internal static void CheckAdaptive(int planes, int h, int w, int oh, int ow, int input, int output, string kernel)
    {
        if (planes < 0 || h <= 0 || w <= 0 || oh <= 0 || ow <= 0)
            throw new ArgumentException($"{kernel}: invalid sizes (planes {planes}, {h}×{w} → {oh}×{ow}).");
        if (input != planes * h * w || output != planes * oh * ow)
            throw new ArgumentException($"{kernel}: spans of {input} and {output} elements do not fit {planes} planes of {h}×{w} → {oh}×{ow}.");
    }
}
