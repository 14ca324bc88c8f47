/* Ribbon icons: PNG resources decoded with WIC into a 32-bit alpha bitmap, handed to
 * Office as IPictureDisp. The size is picked for the screen's DPI from the sizes built
 * into the DLL, so icons stay sharp from 100 % to 200 % scaling. */
#include "addin.h"

#include <olectl.h>
#include <wincodec.h>
#include <stdio.h>

static const unsigned sizes[] = {16, 24, 32, 48, 64}; /* as made by icons/make_icons.py */

static unsigned screen_dpi(void)
{
    HDC dc = GetDC(NULL);
    int dpi = dc ? GetDeviceCaps(dc, LOGPIXELSY) : 96;
    if (dc)
        ReleaseDC(NULL, dc);
    return dpi > 0 ? (unsigned)dpi : 96;
}

/* The smallest built-in size that fills base_px logical pixels at this DPI. */
static unsigned pick_size(unsigned base_px)
{
    unsigned want = (base_px * screen_dpi() + 48) / 96;
    size_t i;
    for (i = 0; i < sizeof sizes / sizeof sizes[0]; i++)
        if (sizes[i] >= want)
            return sizes[i];
    return sizes[sizeof sizes / sizeof sizes[0] - 1];
}

static HRESULT decode_png(const void *data, DWORD len, HBITMAP *out)
{
    IWICImagingFactory *f = NULL;
    IWICStream *stream = NULL;
    IWICBitmapDecoder *dec = NULL;
    IWICBitmapFrameDecode *frame = NULL;
    IWICFormatConverter *conv = NULL;
    BITMAPINFO bi;
    UINT w = 0, h = 0;
    void *bits = NULL;
    HBITMAP bmp = NULL;
    HRESULT hr;

    *out = NULL;
    /* through COM, not an import: the DLL links against system DLLs only */
    hr = CoCreateInstance(&CLSID_WICImagingFactory, NULL, CLSCTX_INPROC_SERVER,
                          &IID_IWICImagingFactory, (void **)&f);
    if (SUCCEEDED(hr))
        hr = IWICImagingFactory_CreateStream(f, &stream);
    if (SUCCEEDED(hr))
        hr = IWICStream_InitializeFromMemory(stream, (BYTE *)data, len);
    if (SUCCEEDED(hr))
        hr = IWICImagingFactory_CreateDecoderFromStream(f, (IStream *)stream, NULL,
                                                        WICDecodeMetadataCacheOnDemand, &dec);
    if (SUCCEEDED(hr))
        hr = IWICBitmapDecoder_GetFrame(dec, 0, &frame);
    if (SUCCEEDED(hr))
        hr = IWICImagingFactory_CreateFormatConverter(f, &conv);
    /* premultiplied BGRA is what GDI's AlphaBlend, and so Office, draws from */
    if (SUCCEEDED(hr))
        hr = IWICFormatConverter_Initialize(conv, (IWICBitmapSource *)frame,
                                            &GUID_WICPixelFormat32bppPBGRA,
                                            WICBitmapDitherTypeNone, NULL, 0.0,
                                            WICBitmapPaletteTypeCustom);
    if (SUCCEEDED(hr))
        hr = IWICFormatConverter_GetSize(conv, &w, &h);
    if (SUCCEEDED(hr) && (w == 0 || h == 0 || w > 256 || h > 256))
        hr = E_UNEXPECTED;
    if (SUCCEEDED(hr)) {
        memset(&bi, 0, sizeof bi);
        bi.bmiHeader.biSize = sizeof bi.bmiHeader;
        bi.bmiHeader.biWidth = (LONG)w;
        bi.bmiHeader.biHeight = -(LONG)h; /* top-down, like WIC's rows */
        bi.bmiHeader.biPlanes = 1;
        bi.bmiHeader.biBitCount = 32;
        bi.bmiHeader.biCompression = BI_RGB;
        bmp = CreateDIBSection(NULL, &bi, DIB_RGB_COLORS, &bits, NULL, 0);
        if (!bmp || !bits)
            hr = E_OUTOFMEMORY;
    }
    if (SUCCEEDED(hr))
        hr = IWICFormatConverter_CopyPixels(conv, NULL, w * 4, w * h * 4, bits);
    if (SUCCEEDED(hr)) {
        *out = bmp;
        bmp = NULL;
    }
    if (bmp)
        DeleteObject(bmp);
    if (conv)
        IWICFormatConverter_Release(conv);
    if (frame)
        IWICBitmapFrameDecode_Release(frame);
    if (dec)
        IWICBitmapDecoder_Release(dec);
    if (stream)
        IWICStream_Release(stream);
    if (f)
        IWICImagingFactory_Release(f);
    return hr;
}

HRESULT images_load(const wchar_t *name, unsigned base_px, IPictureDisp **out)
{
    wchar_t res[64];
    HRSRC r;
    HGLOBAL g;
    const void *data;
    DWORD len;
    HBITMAP bmp;
    PICTDESC pd;
    HRESULT hr;
    size_t i;

    *out = NULL;
    if (!name || wcslen(name) > 40)
        return E_INVALIDARG;
    swprintf(res, sizeof res / sizeof res[0], L"%ls_%u", name, pick_size(base_px));
    for (i = 0; res[i]; i++)
        res[i] = towupper(res[i]);
    r = FindResourceW(ols_module, res, L"PNG");
    if (!r)
        return HRESULT_FROM_WIN32(ERROR_RESOURCE_NAME_NOT_FOUND);
    g = LoadResource(ols_module, r);
    data = g ? LockResource(g) : NULL;
    len = SizeofResource(ols_module, r);
    if (!data || !len)
        return E_FAIL;
    hr = decode_png(data, len, &bmp);
    if (FAILED(hr))
        return hr;
    memset(&pd, 0, sizeof pd);
    pd.cbSizeofstruct = sizeof pd;
    pd.picType = PICTYPE_BITMAP;
    pd.bmp.hbitmap = bmp;
    hr = OleCreatePictureIndirect(&pd, &IID_IPictureDisp, TRUE, (void **)out);
    if (FAILED(hr))
        DeleteObject(bmp); /* the picture owns it only when it was made */
    return hr;
}
