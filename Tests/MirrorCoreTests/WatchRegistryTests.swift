@testable import MirrorCore
import Testing

/// One watch descriptor serves every user of an inode; it goes only when its last user lets go.
@Suite("watch registry")
struct WatchRegistryTests {
    @Test func aWatchGoesWithItsLastUser() {
        var registry = WatchRegistry<Int, String>()
        registry.add(7, owner: 0, label: "a")
        registry.add(7, owner: 1, label: "b")
        #expect(registry.users(of: 7) == [0: "a", 1: "b"])
        let firstLeft = registry.remove(7, owner: 0)
        #expect(!firstLeft)
        #expect(registry.users(of: 7) == [1: "b"])
        let lastLeft = registry.remove(7, owner: 1)
        #expect(lastLeft)
        #expect(registry.users(of: 7).isEmpty)
        // A watch nobody holds is not removed twice.
        let again = registry.remove(7, owner: 1)
        #expect(!again)
    }

    @Test func anOwnerHoldsAWatchOnceAndTheNewLabelWins() {
        var registry = WatchRegistry<Int, String>()
        registry.add(3, owner: 0, label: "old")
        registry.add(3, owner: 0, label: "renamed")
        #expect(registry.users(of: 3) == [0: "renamed"])
        let left = registry.remove(3, owner: 0)
        #expect(left)
    }

    @Test func aDroppedWatchIsForgottenForEveryUser() {
        var registry = WatchRegistry<Int, String>()
        registry.add(5, owner: 0, label: "x")
        registry.add(5, owner: 2, label: "y")
        registry.add(6, owner: 0, label: "z")
        let had = registry.forget(5)
        #expect(had == [0: "x", 2: "y"])
        #expect(registry.users(of: 5).isEmpty)
        let remaining = registry.removeAll()
        #expect(remaining == [6])
        #expect(registry.users(of: 6).isEmpty)
    }
}
