/// Which symlinks the watcher follows on the way to a watched file (`symlinks:` in mirror.yaml).
///
/// Whoever can write in a watched folder could otherwise point the watched name at any file the
/// server may read. By default a link is followed only when the link and what it points to have
/// the same owner, as nginx's `disable_symlinks if_not_owner` does; Kubernetes ConfigMap volumes
/// satisfy this. `follow` opts out for setups that link across owners on purpose.
public enum SymlinkPolicy: String, Sendable, Equatable, CaseIterable {
    /// Follow a link only when the link and its target have the same owner (the default).
    case sameOwner = "same-owner"
    /// Follow every link.
    case follow
}
