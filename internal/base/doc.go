// Package base holds the error categories and small types shared by every
// layer of swd. Public packages re-export what their users need.
package base
