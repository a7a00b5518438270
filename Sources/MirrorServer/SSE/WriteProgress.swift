import NIOCore

/// Whether a client's queued bytes are still being taken by the kernel: a plain decision over
/// counts and instants, which ``SSEConnectionHandler`` feeds from its channel.
///
/// Progress is measured as the bytes the kernel has taken (written to the channel minus still
/// queued), not as the queue shrinking: a client that reads slowly while new events keep coming
/// may have a queue that grows, yet it is not stalled. A client whose count has not moved for
/// `timeout` while something was queued is: a peer that stopped reading or vanished.
///
/// What it sees is the channel's queue, in the steps the kernel takes it: the kernel reports a
/// socket writable again only once a third of its send buffer is free (`sk_stream_min_wspace`),
/// so a reader slower than a third of the send buffer per timeout looks stalled. With the default
/// 30 s and send buffers that grow large only on fast paths, that is a reader that has fallen
/// hopelessly behind anyway.
struct WriteProgress {
    enum Verdict: Equatable {
        /// Nothing is queued: no need to look again until something is.
        case drained
        /// Bytes are queued and the kernel took some within the timeout.
        case moving
        /// Bytes have been queued for `timeout` with none taken.
        case stalled
    }

    let timeout: TimeAmount
    /// Every byte handed to the channel.
    private var written = 0
    /// What the kernel had taken at the last progress, and when.
    private var taken = 0
    private var since = NIODeadline.distantPast

    init(timeout: TimeAmount) {
        self.timeout = timeout
    }

    mutating func wrote(_ bytes: Int) {
        written += bytes
    }

    /// Starts watching: from `now`, the kernel must take some of the `queued` bytes within the timeout.
    mutating func start(queued: Int, now: NIODeadline) {
        taken = written - queued
        since = now
    }

    mutating func check(queued: Int, now: NIODeadline) -> Verdict {
        guard queued > 0 else { return .drained }
        let takenNow = written - queued
        if takenNow > taken {
            taken = takenNow
            since = now
            return .moving
        }
        return now - since >= timeout ? .stalled : .moving
    }
}
