@testable import MirrorCore
import Testing

/// The rotation and truncation decisions of a followed log, with a fake clock and no files.
@Suite("log follower")
struct LogFollowerTests {
    /// Instants as plain durations since an origin.
    struct FakeInstant: InstantProtocol {
        var offset: Duration
        func advanced(by duration: Duration) -> FakeInstant { FakeInstant(offset: offset + duration) }
        func duration(to other: FakeInstant) -> Duration { other.offset - offset }
        static func < (lhs: FakeInstant, rhs: FakeInstant) -> Bool { lhs.offset < rhs.offset }
    }

    static func at(_ milliseconds: Int) -> FakeInstant { FakeInstant(offset: .milliseconds(milliseconds)) }
    let old = LogFileKey(device: 1, inode: 10)
    let new = LogFileKey(device: 1, inode: 11)
    let newest = LogFileKey(device: 1, inode: 12)

    func following(_ key: LogFileKey, offset: Int64 = 0) -> LogFollower<FakeInstant> {
        var follower = LogFollower<FakeInstant>(quiet: .seconds(1))
        follower.adopt(key, offset: offset, size: offset, at: Self.at(0))
        return follower
    }

    @Test func growthIsReadFromTheOffset() {
        var follower = following(old, offset: 100)
        let result1 = follower.saw(size: 100, of: old, at: Self.at(1))
        #expect(result1 == .idle)
        let result2 = follower.saw(size: 150, of: old, at: Self.at(2))
        #expect(result2 == .read(from: 100))
        follower.read(50, of: old, at: Self.at(3))
        #expect(follower.offset(of: old) == 150)
        let result3 = follower.saw(size: 150, of: old, at: Self.at(4))
        #expect(result3 == .idle)
    }

    @Test func aSmallerSizeIsATruncationAndReadingRestartsAtZero() {
        var follower = following(old, offset: 100)
        let result4 = follower.saw(size: 10, of: old, at: Self.at(1))
        #expect(result4 == .truncated(lost: 0))
        #expect(follower.offset(of: old) == 0)
        let result5 = follower.saw(size: 10, of: old, at: Self.at(2))
        #expect(result5 == .read(from: 0))
    }

    @Test func whatWasSeenButNotReadBeforeATruncationIsLost() {
        var follower = following(old, offset: 100)
        let result6 = follower.saw(size: 180, of: old, at: Self.at(1))
        #expect(result6 == .read(from: 100))
        follower.read(30, of: old, at: Self.at(2))
        let result7 = follower.saw(size: 0, of: old, at: Self.at(3))
        #expect(result7 == .truncated(lost: 50))
    }

    @Test func aRotationHoldsTheNewFileUntilTheOldIsQuiet() {
        var follower = following(old, offset: 100)
        let result8 = follower.nameNames(new, at: Self.at(100))
        #expect(result8)
        follower.adopt(new, offset: 0, size: 0, at: Self.at(100))
        #expect(!follower.isHeld(old))
        #expect(follower.isHeld(new))
        #expect(follower.deadline == Self.at(1100))
        // The writer reopens late: the old file still grows, which pushes the retirement back.
        let result9 = follower.saw(size: 130, of: old, at: Self.at(300))
        #expect(result9 == .read(from: 100))
        follower.read(30, of: old, at: Self.at(300))
        #expect(follower.retirable(at: Self.at(1200)) == nil)
        #expect(follower.retirable(at: Self.at(1300)) == old)
        follower.retire(old)
        #expect(!follower.isHeld(new))
        #expect(follower.deadline == nil)
    }

    @Test func theSameNameIsNoRotation() {
        var follower = following(old)
        let result10 = follower.nameNames(old, at: Self.at(1))
        #expect(!result10)
        #expect(follower.files.count == 1)
    }

    @Test func aMissingNameKeepsTheFileUntilASuccessorComes() {
        var follower = following(old, offset: 5)
        let result11 = follower.nameNames(nil, at: Self.at(10))
        #expect(!result11)
        #expect(follower.retirable(at: Self.at(60_000)) == nil)
        // The name comes back as a new file (delete + recreate).
        let result12 = follower.nameNames(new, at: Self.at(70_000))
        #expect(result12)
        follower.adopt(new, offset: 0, size: 0, at: Self.at(70_000))
        // Quiet since it vanished: the new file's lines need not wait.
        #expect(follower.retirable(at: Self.at(70_000)) == old)
    }

    @Test func twoRotationsInARowKeepTheirOrder() {
        var follower = following(old)
        let result13 = follower.nameNames(new, at: Self.at(10))
        #expect(result13)
        follower.adopt(new, offset: 0, size: 0, at: Self.at(10))
        let result14 = follower.nameNames(newest, at: Self.at(20))
        #expect(result14)
        follower.adopt(newest, offset: 0, size: 0, at: Self.at(20))
        #expect(follower.files.map(\.key) == [old, new, newest])
        #expect(follower.isHeld(new) && follower.isHeld(newest))
        #expect(follower.retirable(at: Self.at(1010)) == old)
        follower.retire(old)
        // The middle file was rotated away at 20 ms: it must be quiet a second from then.
        #expect(follower.retirable(at: Self.at(1015)) == nil)
        #expect(follower.retirable(at: Self.at(1020)) == new)
    }

    @Test func aHeldFileIsTruncatedLikeAnyOther() {
        var follower = following(old)
        let result15 = follower.nameNames(new, at: Self.at(10))
        #expect(result15)
        follower.adopt(new, offset: 0, size: 0, at: Self.at(10))
        let result16 = follower.saw(size: 40, of: new, at: Self.at(20))
        #expect(result16 == .read(from: 0))
        follower.read(40, of: new, at: Self.at(20))
        let result17 = follower.saw(size: 0, of: new, at: Self.at(30))
        #expect(result17 == .truncated(lost: 0))
        #expect(follower.isHeld(new))
    }

    @Test func aNameBackOnAFileStillHeldIsThatFile() {
        var follower = following(old)
        let result18 = follower.nameNames(nil, at: Self.at(10))
        #expect(!result18)
        let result19 = follower.nameNames(old, at: Self.at(20))
        #expect(!result19)
        #expect(follower.files.count == 1)
        #expect(follower.named)
    }
}
