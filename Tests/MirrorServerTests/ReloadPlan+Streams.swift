import MirrorServer

extension ReloadPlan {
    /// Whether the reload changes no stream (it may still change policies such as `hosts:`): what
    /// a reload that must keep every client and its history promises. Read from the plan's own
    /// lists; the server has no use for it.
    var keepsEveryStream: Bool { started.isEmpty && retired.isEmpty }
}
