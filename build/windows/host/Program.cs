// Never run: only an application is published self-contained (the runtime and every dependency in one folder), so
// the Windows library's managed side is one; the native shim starts that runtime itself and calls ExportTable.
return 0;
