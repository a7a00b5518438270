/// What every test target shares (temporary folders, polling, the raw socket client, the event
/// parser) is visible in every file of this target, as it was when those lived here.
@_exported public import MirrorTestSupport
