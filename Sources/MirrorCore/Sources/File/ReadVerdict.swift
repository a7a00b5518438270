/// What the handler of a ``FileWatcher`` reading says back.
public enum ReadVerdict: Sendable {
    /// The reading was taken (published, or found unchanged).
    case done
    /// The reading looks like a write in progress (unparsable, or the file missing on a first look):
    /// read again once the writes have settled.
    case notSettled
}
