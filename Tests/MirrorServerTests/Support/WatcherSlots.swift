/// The suite's share of the kernel's inotify instances. Linux allows a user 128 at once
/// (`fs.inotify.max_user_instances`), and every running server takes one or more (a watcher per
/// kind of stream, and the binary one more for its config file). Swift Testing runs the tests of
/// the suite at once, so without a bound their servers together passed 128 and the kernel
/// refused new ones (EMFILE): tree streams went `invalid`, the suite failed, and a user's own
/// servers would have been starved meanwhile. A server of a test takes a slot before it starts
/// and gives it back when it stops; past the wait's bound, the server starts anyway.
typealias WatcherSlots = Slots

extension Slots {
    static let shared = Slots(limit: 32)
}
