// SPDX-License-Identifier: GPL-2.0
/*
 * vgpu-ctl - list vGPU parents and types, create and remove instances,
 * and hand definitions to mdevctl.
 */
#include <getopt.h>
#include <limits.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tool.h"

const char *tool_name = "vgpu-ctl";

static const char help_text[] =
	"Usage: vgpu-ctl list\n"
	"       vgpu-ctl types\n"
	"       vgpu-ctl instances\n"
	"       vgpu-ctl create TYPE [--parent NAME] [--uuid UUID] [--persist]\n"
	"       vgpu-ctl remove UUID [--persist]\n"
	"       vgpu-ctl status UUID\n"
	"       vgpu-ctl mdevctl TYPE\n"
	"\n"
	"Manage mediated vGPU instances (mdev) through sysfs.\n"
	"\n"
	"Commands:\n"
	"  list       types (with descriptions and free instances), then instances\n"
	"  types      the types every parent device offers\n"
	"  instances  the instances in existence, with their parent and type\n"
	"  create     create an instance of TYPE (\"hd\" or \"vgpu_bochs-hd\") and print\n"
	"             its UUID\n"
	"  remove     remove an instance; waits while a VM still uses it\n"
	"  status     an instance's type and display statistics\n"
	"  mdevctl    print an mdevctl definition of TYPE (JSON, for\n"
	"             'mdevctl define --jsonfile FILE --uuid UUID --parent NAME')\n"
	"\n"
	"Options:\n"
	"  -p, --parent NAME  parent device (needed when several offer TYPE)\n"
	"  -u, --uuid UUID    the new instance's UUID (default: a random one)\n"
	"      --persist      also define (create) or undefine (remove) the instance\n"
	"                     in mdevctl, so it comes back at boot; needs mdevctl\n"
	"  -h, --help         show this help\n"
	"\n"
	"Exit status: 0 on success, 1 on failure, 2 for bad usage.\n";

static void print_help(FILE *f)
{
	fputs(help_text, f);
}

static int have_mdevctl(void)
{
	return !system("command -v mdevctl >/dev/null 2>&1");
}

/* Run mdevctl with @args (NULL-terminated), or die saying what failed. */
static void run_mdevctl(const char *const args[])
{
	int status;
	pid_t pid;

	fflush(stdout);
	pid = fork();
	if (pid < 0)
		tool_die(1, "fork: %s", strerror(errno));
	if (!pid) {
		execvp("mdevctl", (char *const *)args);
		_exit(127);
	}
	if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status))
		tool_die(1, "'mdevctl %s' failed (see its message above)", args[1]);
}

static void print_types(void)
{
	struct vgpu_type *t;
	size_t i, n;
	int ret = vgpu_list_types(&t, &n);

	if (ret)
		tool_die_vgpu("listing types", ret);
	if (!n) {
		printf("no vGPU parent devices (load one: modprobe vgpu_bochs)\n");
		return;
	}
	printf("%-16s %-24s %-9s %s\n", "PARENT", "TYPE", "AVAILABLE", "DESCRIPTION");
	for (i = 0; i < n; i++)
		printf("%-16s %-24s %-9u %s\n", t[i].parent, t[i].type,
		       t[i].available, t[i].description[0] ? t[i].description : t[i].name);
	free(t);
}

static void print_instances(void)
{
	struct vgpu_instance *in;
	size_t i, n;
	int ret = vgpu_list_instances(&in, &n);

	if (ret)
		tool_die_vgpu("listing instances", ret);
	if (!n) {
		printf("no instances (create one: vgpu-ctl create hd)\n");
		return;
	}
	printf("%-36s %-16s %s\n", "UUID", "PARENT", "TYPE");
	for (i = 0; i < n; i++)
		printf("%-36s %-16s %s\n", in[i].uuid, in[i].parent, in[i].type);
	free(in);
}

/* Find instance @uuid, or die. */
static struct vgpu_instance find_instance(const char *uuid)
{
	struct vgpu_instance *in, found;
	size_t i, n;
	int ret = vgpu_list_instances(&in, &n);

	if (ret)
		tool_die_vgpu("listing instances", ret);
	for (i = 0; i < n; i++) {
		if (!strcmp(in[i].uuid, uuid)) {
			found = in[i];
			free(in);
			return found;
		}
	}
	free(in);
	tool_die_vgpu(uuid, -ENOENT);
}

static void status(const char *uuid)
{
	static const char *const stats[] = {
		"live_dmabufs", "pinned_bytes", "layouts", "generation",
	};
	struct vgpu_instance in = find_instance(uuid);
	char path[PATH_MAX], val[64];
	size_t i;

	printf("uuid:    %s\nparent:  %s\ntype:    %s\n", in.uuid, in.parent, in.type);
	for (i = 0; i < ARRAY_SIZE(stats); i++) {
		FILE *f;

		snprintf(path, sizeof(path), "/sys/bus/mdev/devices/%s/vgpu_display/%s",
			 uuid, stats[i]);
		f = fopen(path, "re");
		if (!f)
			continue;	/* not a vgpu_display device, or older */
		if (fgets(val, sizeof(val), f))
			printf("%-8s %s", stats[i], val);
		fclose(f);
	}
}

/* Look @type up as vgpu_create() will, or die saying what to do. */
static struct vgpu_type find_type(const char *parent, const char *type)
{
	struct vgpu_type t;
	int ret = vgpu_find_type(parent, type, &t);

	if (ret == -EINVAL)
		tool_die(1, "%s: several types or parents match: give the full type name and --parent (see 'vgpu-ctl types')",
			 type);
	if (ret == -ENOENT)
		tool_die(1, "%s: no such type (see 'vgpu-ctl types'; is vgpu_bochs loaded?)",
			 type);
	if (ret)
		tool_die_vgpu("listing types", ret);
	return t;
}

static void create(const char *type, const char *parent, const char *uuid,
		   int persist)
{
	struct vgpu_type t;
	char id[37];
	int ret;

	if (persist && !have_mdevctl())
		tool_die(1, "--persist needs mdevctl (apt-get install mdevctl)");
	t = find_type(parent, type);
	ret = vgpu_create(t.parent, t.type, uuid, id);
	if (ret)
		tool_die_vgpu("creating an instance", ret);
	if (persist) {
		const char *const args[] = { "mdevctl", "define", "--auto", "--uuid", id,
					     "--parent", t.parent, "--type", t.type, NULL };

		run_mdevctl(args);
	}
	printf("%s\n", id);
}

static void remove_instance(const char *uuid, int persist)
{
	int ret;

	if (persist) {
		const char *const args[] = { "mdevctl", "undefine", "--uuid", uuid, NULL };

		if (!have_mdevctl())
			tool_die(1, "--persist needs mdevctl (apt-get install mdevctl)");
		run_mdevctl(args);
	}
	ret = vgpu_remove(uuid);
	if (ret && !(persist && ret == -ENOENT))
		tool_die_vgpu(uuid, ret);
}

static void print_mdevctl(const char *type)
{
	struct vgpu_type t = find_type(NULL, type);

	printf("{\n  \"mdev_type\": \"%s\",\n  \"start\": \"auto\",\n  \"attrs\": []\n}\n",
	       t.type);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "parent", required_argument, NULL, 'p' },
		{ "uuid", required_argument, NULL, 'u' },
		{ "persist", no_argument, NULL, 'P' },
		{ "help", no_argument, NULL, 'h' },
		{ }
	};
	const char *parent = NULL, *uuid = NULL, *cmd;
	int c, persist = 0;

	vgpu_set_log_fn(tool_log, NULL);
	/* GNU getopt lets options follow the command and its operand */
	while ((c = getopt_long(argc, argv, "p:u:h", opts, NULL)) != -1) {
		switch (c) {
		case 'p':
			parent = optarg;
			break;
		case 'u':
			uuid = optarg;
			break;
		case 'P':
			persist = 1;
			break;
		case 'h':
			print_help(stdout);
			return 0;
		default:
			print_help(stderr);
			return 2;
		}
	}
	if (optind >= argc) {
		print_help(stderr);
		return 2;
	}
	cmd = argv[optind++];
	if (!strcmp(cmd, "list") && optind == argc) {
		print_types();
		printf("\n");
		print_instances();
	} else if (!strcmp(cmd, "types") && optind == argc) {
		print_types();
	} else if (!strcmp(cmd, "instances") && optind == argc) {
		print_instances();
	} else if (!strcmp(cmd, "create") && optind + 1 == argc) {
		create(argv[optind], parent, uuid, persist);
	} else if (!strcmp(cmd, "remove") && optind + 1 == argc) {
		remove_instance(argv[optind], persist);
	} else if (!strcmp(cmd, "status") && optind + 1 == argc) {
		status(argv[optind]);
	} else if (!strcmp(cmd, "mdevctl") && optind + 1 == argc) {
		print_mdevctl(argv[optind]);
	} else {
		fprintf(stderr, "vgpu-ctl: error: unknown command or wrong operands: '%s'\n\n",
			cmd);
		print_help(stderr);
		return 2;
	}
	return 0;
}
