package backup

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"
)

// Target is a place backups are written to and read from.
type Target interface {
	// Put stores the size bytes of r as name (a slash-separated path).
	Put(ctx context.Context, name string, r io.Reader, size int64) error
	// Open reads name; an error wrapping fs.ErrNotExist when it is missing.
	Open(ctx context.Context, name string) (io.ReadCloser, error)
	// String describes the target for messages, without credentials.
	String() string
	// List names every object under the folder prefix ("" for all), as
	// slash-separated paths relative to the target.
	List(ctx context.Context, prefix string) ([]string, error)
	// RemoveAll removes the folder prefix (one backup) and all it holds.
	RemoveAll(ctx context.Context, prefix string) error
}

// ParseTarget reads a target: "dir:/path" or "s3://host[:port]/bucket[/prefix]"
// (credentials from AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY in getenv).
func ParseTarget(spec string, getenv func(string) string) (Target, error) {
	switch {
	case strings.HasPrefix(spec, "dir:"):
		p := strings.TrimPrefix(spec, "dir:")
		if p == "" {
			return nil, errors.New("target dir: needs a path")
		}
		return Dir(p), nil
	case strings.HasPrefix(spec, "s3://"), strings.HasPrefix(spec, "s3+http://"):
		u, err := url.Parse(spec)
		if err != nil || u.Host == "" {
			return nil, fmt.Errorf("target %q: want s3://host[:port]/bucket[/prefix]", spec)
		}
		bucket, prefix, _ := strings.Cut(strings.TrimPrefix(u.Path, "/"), "/")
		if bucket == "" {
			return nil, fmt.Errorf("target %q: no bucket", spec)
		}
		// Why: backups are encrypted, but credentials and metadata still
		// travel; plain HTTP is allowed only to a loopback endpoint (tests, a
		// local gateway), like every other connection (DESIGN §2.3).
		secure := u.Scheme == "s3"
		if !secure && !loopback(u.Hostname()) {
			return nil, fmt.Errorf("target %q: plain HTTP only to loopback; use s3://", spec)
		}
		return NewS3(u.Host, secure, bucket, prefix, getenv("AWS_ACCESS_KEY_ID"), getenv("AWS_SECRET_ACCESS_KEY"))
	}
	return nil, fmt.Errorf("target %q: want dir:/path or s3://host/bucket/prefix", spec)
}

func loopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// Dir is a directory target.
type Dir string

func (d Dir) String() string { return "dir:" + string(d) }

// Put writes name through a temporary file and a rename, so a reader never
// sees half a file. Files are 0600 and folders 0700: only the operator's
// account reads backups, encrypted as they are.
func (d Dir) Put(_ context.Context, name string, r io.Reader, _ int64) error {
	p := filepath.Join(string(d), filepath.FromSlash(name))
	if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
		return err
	}
	f, err := os.CreateTemp(filepath.Dir(p), ".part-*")
	if err != nil {
		return err
	}
	_, err = io.Copy(f, r)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(f.Name(), p)
	}
	if err != nil {
		_ = os.Remove(f.Name())
		return fmt.Errorf("%s: write %s: %w", d, name, err)
	}
	return nil
}

// Open opens name.
func (d Dir) Open(_ context.Context, name string) (io.ReadCloser, error) {
	f, err := os.Open(filepath.Join(string(d), filepath.FromSlash(name))) //nolint:gosec // the operator's target; names are checked by checkID and checkName
	if err != nil {
		return nil, fmt.Errorf("%s: %w", d, err)
	}
	return f, nil
}

// List walks the directory. Temporary files of a write in progress (.part-*)
// are left out.
func (d Dir) List(_ context.Context, prefix string) ([]string, error) {
	root := filepath.Join(string(d), filepath.FromSlash(prefix))
	var out []string
	err := filepath.WalkDir(root, func(p string, e fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) && p == root {
				return fs.SkipAll
			}
			return err
		}
		if e.IsDir() || strings.HasPrefix(e.Name(), ".part-") {
			return nil
		}
		rel, err := filepath.Rel(string(d), p)
		if err != nil {
			return err
		}
		out = append(out, filepath.ToSlash(rel))
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("%s: list: %w", d, err)
	}
	return out, nil
}

// RemoveAll removes one backup's folder.
func (d Dir) RemoveAll(_ context.Context, prefix string) error {
	if err := checkID(prefix); err != nil {
		return fmt.Errorf("%s: remove %q: %w", d, prefix, err)
	}
	if err := os.RemoveAll(filepath.Join(string(d), prefix)); err != nil {
		return fmt.Errorf("%s: remove %s: %w", d, prefix, err)
	}
	return nil
}

// S3 is an S3-compatible bucket target.
type S3 struct {
	client *minio.Client
	bucket string
	prefix string
	where  string
}

// NewS3 returns the target of bucket (under prefix) at endpoint.
func NewS3(endpoint string, secure bool, bucket, prefix, accessKey, secretKey string) (*S3, error) {
	c, err := minio.New(endpoint, &minio.Options{Creds: credentials.NewStaticV4(accessKey, secretKey, ""), Secure: secure})
	if err != nil {
		return nil, fmt.Errorf("target s3: %w", err)
	}
	return &S3{client: c, bucket: bucket, prefix: strings.Trim(prefix, "/"), where: "s3://" + endpoint + "/" + path.Join(bucket, prefix)}, nil
}

func (s *S3) String() string { return s.where }

func (s *S3) key(name string) string {
	if s.prefix == "" {
		return name
	}
	return s.prefix + "/" + name
}

// Put uploads name.
func (s *S3) Put(ctx context.Context, name string, r io.Reader, size int64) error {
	if _, err := s.client.PutObject(ctx, s.bucket, s.key(name), r, size, minio.PutObjectOptions{ContentType: "application/octet-stream"}); err != nil {
		return fmt.Errorf("%s: put %s: %w", s, name, err)
	}
	return nil
}

// Open downloads name.
func (s *S3) Open(ctx context.Context, name string) (io.ReadCloser, error) {
	o, err := s.client.GetObject(ctx, s.bucket, s.key(name), minio.GetObjectOptions{})
	if err == nil {
		_, err = o.Stat()
	}
	if err != nil {
		if minio.ToErrorResponse(err).Code == "NoSuchKey" {
			err = errors.Join(fs.ErrNotExist, err)
		}
		return nil, fmt.Errorf("%s: get %s: %w", s, name, err)
	}
	return o, nil
}

// List lists the objects under prefix.
func (s *S3) List(ctx context.Context, prefix string) ([]string, error) {
	base := s.prefix
	if base != "" {
		base += "/"
	}
	var out []string
	for o := range s.client.ListObjects(ctx, s.bucket, minio.ListObjectsOptions{Prefix: base + prefix, Recursive: true}) {
		if o.Err != nil {
			return nil, fmt.Errorf("%s: list: %w", s, o.Err)
		}
		out = append(out, strings.TrimPrefix(o.Key, base))
	}
	return out, nil
}

// RemoveAll deletes every object of one backup.
func (s *S3) RemoveAll(ctx context.Context, prefix string) error {
	if err := checkID(prefix); err != nil {
		return fmt.Errorf("%s: remove %q: %w", s, prefix, err)
	}
	names, err := s.List(ctx, prefix+"/")
	if err != nil {
		return err
	}
	for _, n := range names {
		if err := s.client.RemoveObject(ctx, s.bucket, s.key(n), minio.RemoveObjectOptions{}); err != nil {
			return fmt.Errorf("%s: remove %s: %w", s, n, err)
		}
	}
	return nil
}
