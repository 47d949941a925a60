// Never run: hostfxr starts a self-contained runtime only for an application, so the Windows library's managed side
// is one (see ExportTable for what the native shim calls instead).
return 0;
